"""The committed OpenAPI document names every answer the authorisation matrix sees.

The matrix (test_authorisation_matrix.py) asserts what each kind of caller is answered on
each route of the programmes service; here each of those statuses must be documented on
that operation, and every operation has an id, says who may call it and when, and, when
it needs a key, documents 401 and 429.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import setu
from tests.security.test_authorisation_matrix import CALLERS, PUBLIC, ROWS, UNAUTHENTICATED

DOCUMENT = json.loads((Path(setu.__file__).parent / "openapi.json").read_text())
METHODS = ("get", "post", "put", "patch", "delete")
OPERATIONS = {
    (method, path): operation
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
    if method in METHODS
}


def _shape(path: str) -> tuple[str, ...]:
    return tuple("*" if part.startswith("{") else part for part in path.split("/"))


def _operation(method: str, path: str) -> dict:
    found = [op for (m, p), op in OPERATIONS.items() if m == method and _shape(p) == _shape(path)]
    assert len(found) == 1, (method, path)
    return found[0]


def test_every_status_the_matrix_sees_is_documented():
    undocumented = set()
    for method, path, _body, expected in ROWS:
        if not path.startswith("/v1/"):
            continue
        operation = _operation(method.lower(), path)
        for name in CALLERS:
            status = expected.get(name, expected["*"])
            if path not in PUBLIC:
                status = UNAUTHENTICATED.get(name, status)
            if str(status) not in operation["responses"]:
                undocumented.add((method, path, status))
    assert undocumented == set()


def test_every_operation_has_an_id_and_says_who_and_when():
    ids = Counter(op.get("operationId") for op in OPERATIONS.values())
    assert None not in ids
    assert [name for name, count in ids.items() if count > 1] == []
    for (method, path), operation in OPERATIONS.items():
        description = operation.get("description", "")
        assert "**Who**" in description and "**When**" in description, (method, path)


def test_every_operation_that_needs_a_key_documents_401_and_429():
    missing = [
        (method, path, code)
        for (method, path), operation in OPERATIONS.items()
        if operation.get("security", DOCUMENT["security"]) != []
        for code in ("401", "429")
        if code not in operation["responses"]
    ]
    assert missing == []


def test_no_tag_is_empty():
    used = {tag for op in OPERATIONS.values() for tag in op.get("tags", [])}
    assert [tag["name"] for tag in DOCUMENT["tags"] if tag["name"] not in used] == []
