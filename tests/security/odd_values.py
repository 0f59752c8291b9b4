"""The odd-input corpus: the values an attacker (or a careless client) sends, and the
requests that carry them into every body field, query argument and path parameter of every
operation of the committed OpenAPI document (cli/setu/openapi.json).

Body values are raw JSON text, so that what the standard library will not write (an integer
of 5,000 digits, NaN, a key twice) is sent as a client would send it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

OPENAPI = Path(__file__).resolve().parents[2] / "cli" / "setu" / "openapi.json"

# Raw JSON text for one value in a body.
BODY_VALUES: dict[str, str] = {
    "nested 1,000 deep": "[" * 1000 + "]" * 1000,
    "objects nested 1,000 deep": '{"a":' * 1000 + "1" + "}" * 1000,
    "integer of 5,000 digits": "9" * 5000,
    "negative integer of 5,000 digits": "-" + "9" * 5000,
    "integer beyond 64 bits": "99999999999999999999",
    "float beyond double": "1e999",
    "NaN": "NaN",
    "Infinity": "-Infinity",
    "time before year 1 in UTC": '"0001-01-01T00:00:00+14:00"',
    "time after year 9999 in UTC": '"9999-12-31T23:59:59-14:00"',
    "NUL": '"a\\u0000b"',
    "lone surrogate": '"\\ud800"',
    "email at an IP literal": '"a@[127.0.0.1]"',
    "email outside ASCII": '"\\u0930\\u093e\\u092e@example.in"',
    "long text": json.dumps("x" * 200_000),
    "empty object": "{}",
    "object with odd keys": '{"\\u0000": 1, "": [], "a": {"b": null}}',
    "null": "null",
    "negative": "-1",
    "fraction": "0.5",
    "true": "true",
}

# Whole bodies (raw bytes, sent as application/json).
WHOLE_BODIES: dict[str, bytes] = {
    "nested 1,000 deep": ("[" * 1000 + "]" * 1000).encode(),
    "integer of 5,000 digits": ("9" * 5000).encode(),
    "duplicate keys": b'{"a": 1, "a": 2}',
    "NaN": b"NaN",
    "invalid UTF-8": b'{"a": "\xff\xfe"}',
}

# Text for a query argument or a path parameter (quoted when sent).
TEXT_VALUES: dict[str, str] = {
    "integer beyond 64 bits": "99999999999999999999",
    "negative beyond 64 bits": "-99999999999999999999",
    "integer of 5,000 digits": "9" * 5000,
    "time before year 1 in UTC": "0001-01-01T00:00:00+14:00",
    "time after year 9999 in UTC": "9999-12-31T23:59:59-14:00",
    "year 0": "0000-01-01T00:00:00Z",
    "NaN": "NaN",
    "Infinity": "Infinity",
    "float beyond double": "1e999",
    "NUL": "a\x00b",
    "lone surrogate": "\ud800",
    "empty": "",
    "long text": "x" * 5000,
    "email at an IP literal": "a@[127.0.0.1]",
    "email outside ASCII": "राम@example.in",
    "path traversal": "../../internal/authorize",
}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # the template: /v1/programmes/{programme_id}
    query: tuple[str, ...]
    path_params: tuple[str, ...]
    body_fields: tuple[str, ...]  # top-level properties of its request body, if it has one

    @property
    def has_body(self) -> bool:
        return bool(self.body_fields) or self.method in ("POST", "PATCH", "PUT")


@dataclass(frozen=True)
class OddRequest:
    operation: Operation
    what: str  # which field, argument or parameter holds which odd value
    path: dict[str, str]  # parameter → raw text (quoted when the URL is made)
    query: dict[str, str]
    body: bytes | None

    def url(self) -> str:
        target = self.operation.path
        for name, value in self.path.items():
            quoted = quote(value.encode("utf-8", "surrogatepass"), safe="")
            target = target.replace("{" + name + "}", quoted)
        if self.query:
            pairs = (
                f"{quote(k)}={quote(v.encode('utf-8', 'surrogatepass'), safe='')}"
                for k, v in self.query.items()
            )
            target += "?" + "&".join(pairs)
        return target

    def __str__(self) -> str:
        return f"{self.operation.method} {self.operation.path} [{self.what}]"


def _schema_properties(document: dict[str, Any], operation: dict[str, Any]) -> tuple[str, ...]:
    body = operation.get("requestBody")
    if not body:
        return ()
    schema = body["content"]["application/json"]["schema"]
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return tuple(schema.get("properties", {}))


def operations() -> list[Operation]:
    """Every operation under /v1 of the committed OpenAPI document."""
    document = json.loads(OPENAPI.read_text())
    found = []
    for path, item in document["paths"].items():
        if not path.startswith("/v1/"):
            continue
        for method, operation in item.items():
            if method == "parameters":
                continue
            parameters = [*item.get("parameters", []), *operation.get("parameters", [])]
            found.append(
                Operation(
                    method.upper(),
                    path,
                    tuple(p["name"] for p in parameters if p["in"] == "query"),
                    tuple(p["name"] for p in parameters if p["in"] == "path"),
                    _schema_properties(document, operation),
                )
            )
    return found


def _with_value(base: dict[str, Any], name: str, raw: str) -> bytes:
    """``base`` as JSON text with ``name`` set to the raw JSON ``raw``."""
    marker = "__odd_value_marker__"
    text = json.dumps({**base, name: marker})
    return text.replace(json.dumps(marker), raw, 1).encode("utf-8", "surrogatepass")


def odd_requests(
    operation: Operation, path_ids: dict[str, str], base_body: dict[str, Any]
) -> Iterator[OddRequest]:
    """The corpus for one operation: each odd value in each place, everything else valid
    (real ids in the path, ``base_body`` around the odd field)."""
    body = json.dumps(base_body).encode() if operation.has_body else None
    for name in operation.path_params:
        for label, value in TEXT_VALUES.items():
            if label == "empty":
                continue  # an empty segment is another route (405 or 404), not a value
            yield OddRequest(
                operation, f"path {name}: {label}", {**path_ids, name: value}, {}, body
            )
    for name in operation.query:
        for label, value in TEXT_VALUES.items():
            yield OddRequest(operation, f"query {name}: {label}", path_ids, {name: value}, body)
    if not operation.has_body:
        return
    for name in operation.body_fields:
        for label, raw in BODY_VALUES.items():
            odd = _with_value(base_body, name, raw)
            yield OddRequest(operation, f"body {name}: {label}", path_ids, {}, odd)
    for label, raw_body in WHOLE_BODIES.items():
        yield OddRequest(operation, f"body: {label}", path_ids, {}, raw_body)
