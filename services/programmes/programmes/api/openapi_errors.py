"""Every error an operation can answer, written into the OpenAPI document once, here.

flask-smorest documents 422 (from ``@blp.arguments``) and a default error; the statuses
below come from authentication, the rate limit, body checks and the domain errors.
"""

from __future__ import annotations

from http import HTTPStatus

from flask_smorest import Api

STATUSES = (400, 401, 403, 404, 409, 412, 413, 415, 429, 503)
BODY_METHODS = ("post", "put", "patch")


def _component(code: int) -> str:
    return HTTPStatus(code).name


def _statuses_for(path: str, method: str) -> list[int]:
    if not (path.startswith("/v1/") or path.startswith("/internal/")):
        return []
    codes = [401, 429, 503]
    if path.startswith("/v1/"):
        codes.append(403)
    if "{" in path:
        codes.append(404)
    if method in BODY_METHODS:
        codes += [400, 413, 415]
    if method in ("post", "patch") and "{" in path:
        codes.append(409)
    if method == "patch":
        codes.append(412)
    return codes


def document_errors(api: Api) -> None:
    """Add the error responses to the components and to each operation."""
    for code in STATUSES:
        api.spec.components.response(
            _component(code),
            {
                "description": HTTPStatus(code).phrase,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
        )
    for path, operations in api.spec._paths.items():  # apispec keeps no public accessor
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code in _statuses_for(path, method):
                operation["responses"].setdefault(
                    str(code), {"$ref": f"#/components/responses/{_component(code)}"}
                )
