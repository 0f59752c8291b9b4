"""An email address at an IP literal or outside ASCII is a 422 wherever the API takes one,
not a dead letter at the SMTP server later (issue 26, item 10): every field and query
argument the committed OpenAPI document marks ``format: email``, on every service, on
SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import itertools
import json
from typing import Any

import pytest

from tests.security.odd_services import Services
from tests.security.odd_values import OPENAPI, OddRequest, operations

REFUSED = {
    "IP literal": "office@[127.0.0.1]",
    "IPv6 literal": "office@[IPv6:::1]",
    "bare IPv4": "office@192.168.1.1",
    "Devanagari local part": "राम@example.in",
    "Japanese domain": "office@例え.jp",
    "accented local part": "josé@example.org",
}

Path = tuple[str | int, ...]


def _emails_in(schema: dict[str, Any], schemas: dict[str, Any], where: Path = ()) -> list[Path]:
    """Where ``schema`` holds an email address: a field's name, then a name or an index."""
    if "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
    found = [where] if schema.get("format") == "email" else []
    for name, inner in schema.get("properties", {}).items():
        found += _emails_in(inner, schemas, (*where, name))
    if "items" in schema:
        found += _emails_in(schema["items"], schemas, (*where, 0))
    return found


def _email_places() -> list[tuple[str, str, str, Path]]:
    """(method, path, "body" or "query", where) of every email in a request."""
    document = json.loads(OPENAPI.read_text())
    places = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            body = operation.get("requestBody")
            if body:
                schema = body["content"]["application/json"]["schema"]
                found = _emails_in(schema, document["components"]["schemas"])
                places += [(method.upper(), path, "body", where) for where in found]
            places += [
                (method.upper(), path, "query", (parameter["name"],))
                for parameter in operation.get("parameters", [])
                if parameter.get("schema", {}).get("format") == "email"
            ]
    return places


PLACES = _email_places()


def _with_address(base: dict[str, Any], where: Path, address: str) -> dict[str, Any]:
    body = copy.deepcopy(base)
    holder: Any = body
    for step, following in itertools.pairwise(where):
        holder = holder.setdefault(step, [] if isinstance(following, int) else {})
    if isinstance(where[-1], int):
        holder[:] = [address]
    else:
        holder[where[-1]] = address
    return body


def test_the_document_names_the_email_fields() -> None:
    assert {(method, path) for method, path, _, _ in PLACES} >= {
        ("POST", "/v1/organisations"),
        ("POST", "/v1/applications"),
        ("POST", "/v1/reports"),
        ("POST", "/v1/report-schedules"),
        ("GET", "/v1/notifications"),
    }


@pytest.mark.parametrize("label", list(REFUSED))
def test_every_email_field_refuses_ip_literals_and_text_outside_ascii(
    three_services: Services, label: str
) -> None:
    by_operation = {(o.method, o.path): o for o in operations()}
    wrong = []
    for method, path, place, where in PLACES:
        operation = by_operation[(method, path)]
        path_ids = {name: three_services.ids[name] for name in operation.path_params}
        if place == "query":
            odd = OddRequest(
                operation, f"query {where[0]}", path_ids, {where[0]: REFUSED[label]}, None
            )
        else:
            base = three_services.bodies.get((method, path), {})
            body = _with_address(base, where, REFUSED[label])
            where_text = ".".join(str(step) for step in where)
            odd = OddRequest(
                operation, f"body {where_text}", path_ids, {}, json.dumps(body).encode()
            )
        answer = three_services.send(odd)
        errors = answer.json.get("errors", {}) if answer.is_json else {}
        if answer.status_code != 422 or str(where[0]) not in json.dumps(errors):
            wrong.append(f"{odd}: {answer.status_code} {answer.get_data(as_text=True)[:200]}")
    assert not wrong, "\n".join(wrong)
