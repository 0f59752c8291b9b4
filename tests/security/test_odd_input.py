"""No input, however odd, produces a 5xx (PRODUCT.md, *Resources*; issue 26, item 8).

Every operation under /v1 of the committed OpenAPI document, on the real apps of all three
services (each on its own migrated database, SQLite and PostgreSQL in turn, with a real
Redis), is sent each odd value of ``odd_values`` in each body field, query argument and path
parameter, the rest of the request valid (real ids, a valid body around the odd field). Each
answer must be below 500, and every error a JSON error body.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.security.odd_services import Services, service_of
from tests.security.odd_values import (
    WHOLE_BODIES,
    OddRequest,
    odd_requests,
    operations,
)


def _problem(odd: OddRequest, answer: Any) -> str | None:
    """What is wrong with the answer to ``odd``, or None."""
    text = answer.get_data(as_text=True)[:300]
    if answer.status_code >= 500:
        return f"{odd}: {answer.status_code} {text}"
    if answer.status_code >= 400:
        body = answer.json if answer.is_json else None
        if not isinstance(body, dict) or body.get("code") != answer.status_code:
            return f"{odd}: {answer.status_code} without a JSON error body: {text}"
    return None


@pytest.mark.parametrize("service", ["programmes", "notifications", "reports"])
def test_no_odd_input_gets_a_5xx_on_any_route(three_services: Services, service: str) -> None:
    chosen = [operation for operation in operations() if service_of(operation.path) == service]
    assert chosen, f"no operation of {service} in the OpenAPI document"
    sent, problems = 0, []
    for operation in sorted(chosen, key=lambda o: o.method == "DELETE"):
        path_ids = {name: three_services.ids[name] for name in operation.path_params}
        base = three_services.bodies.get((operation.method, operation.path), {})
        for odd in odd_requests(operation, path_ids, base):
            sent += 1
            problem = _problem(odd, three_services.send(odd))
            if problem:
                problems.append(problem)
    assert sent > 100
    assert not problems, f"{len(problems)} of {sent} odd requests:\n" + "\n".join(problems)


def _duplicated(base: dict[str, Any]) -> bytes:
    """``base`` as JSON text with its first key written twice (the second value valid)."""
    text = json.dumps(base)
    first = next(iter(base))
    return ("{" + json.dumps(first) + ": null, " + text[1:]).encode()


@pytest.mark.parametrize("service", ["programmes", "notifications", "reports"])
def test_json_beyond_the_limits_answers_400_on_every_body(three_services: Services, service: str):
    """Not only no 5xx: a body with a key twice, NaN, an integer beyond 64 bits or nesting
    past the limit is malformed (400), never read as something else (a 2xx with the last of
    two values)."""
    bodies = [
        operation
        for operation in operations()
        if service_of(operation.path) == service and operation.body_fields
    ]
    assert bodies
    wrong = []
    for operation in bodies:
        path_ids = {name: three_services.ids[name] for name in operation.path_params}
        base = three_services.bodies[(operation.method, operation.path)]
        refused = {
            "a key twice": _duplicated(base),
            "NaN": _with_raw(base, "NaN"),
            "integer beyond 64 bits": _with_raw(base, "-9223372036854775809"),
            **{label: raw for label, raw in WHOLE_BODIES.items() if label != "invalid UTF-8"},
        }
        for label, body in refused.items():
            odd = OddRequest(operation, label, path_ids, {}, body)
            answer = three_services.send(odd)
            if answer.status_code != 400 or not answer.is_json:
                wrong.append(f"{odd}: {answer.status_code} {answer.get_data(as_text=True)[:200]}")
    assert not wrong, "\n".join(wrong)


def _with_raw(base: dict[str, Any], raw: str) -> bytes:
    """``base`` with one more key (unknown to every schema) holding the raw JSON ``raw``."""
    return ("{" + f'"odd": {raw}, ' + json.dumps(base)[1:]).encode()


# If-Match values for an edit: tags of the real row with odd versions, and odd tags.
IF_MATCH = {
    "version of 5,000 digits": '"{id}.' + "9" * 5000 + '"',
    "version in superscript digits": '"{id}.²"',
    "negative version": '"{id}.-1"',
    "a thousand tags": ", ".join(['"{id}.1"'] * 1000),
    "weak and empty": 'W/"", W/',
    "NUL": '"{id}.1\x00"',
}


def test_odd_if_match_headers_never_get_a_5xx(three_services: Services) -> None:
    edits = [o for o in operations() if o.method in ("PATCH", "DELETE") and o.path_params]
    problems = []
    for operation in edits:
        path_ids = {name: three_services.ids[name] for name in operation.path_params}
        row_id = path_ids[operation.path_params[-1]]
        base = three_services.bodies.get((operation.method, operation.path))
        body = json.dumps(base).encode() if base is not None else None
        for label, value in IF_MATCH.items():
            odd = OddRequest(operation, f"If-Match: {label}", path_ids, {}, body)
            answer = three_services.send(odd, {"If-Match": value.replace("{id}", row_id)})
            problem = _problem(odd, answer)
            if problem:
                problems.append(problem)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("service", ["programmes", "notifications", "reports"])
def test_a_query_parameter_a_route_does_not_take_is_a_422_naming_it(
    three_services: Services, service: str
) -> None:
    """A misspelt filter (``?statuss=draft``) is refused, never dropped: dropped, it would
    answer the whole list as if it were the filtered one."""
    lists = [
        operation
        for operation in operations()
        if service_of(operation.path) == service and operation.method == "GET" and operation.query
    ]
    assert lists, f"no operation of {service} reads a query string"
    wrong = []
    for operation in lists:
        path_ids = {name: three_services.ids[name] for name in operation.path_params}
        odd = OddRequest(
            operation, "a parameter it does not take", path_ids, {"statuss": "x"}, None
        )
        answer = three_services.send(odd)
        body = answer.json if answer.is_json else None
        named = isinstance(body, dict) and "statuss" in json.dumps(body.get("errors"))
        if answer.status_code != 422 or not named:
            wrong.append(f"{odd}: {answer.status_code} {answer.get_data(as_text=True)[:200]}")
    assert not wrong, "\n".join(wrong)
