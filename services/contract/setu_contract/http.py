"""HTTP conventions shared by the services behind the gateway.

The programmes service owns organisations and API keys. The gateway asks it to authorise
each request bound for another service (``AUTHORIZE_PATH``, as nginx's ``auth_request``
does) and passes the answer on in the identity headers below, after removing any such
header the client sent. Services behind the gateway trust only these headers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask.json.provider import DefaultJSONProvider
from marshmallow import Schema, fields

from setu_contract import jsonio

AUTHORIZE_PATH = "/internal/authorize"

ORGANISATION_HEADER = "X-Setu-Organisation-Id"
ROLE_HEADER = "X-Setu-Role"
SIDE_HEADER = "X-Setu-Side"
KEY_HEADER = "X-Setu-Key-Id"
IDENTITY_HEADERS = (ORGANISATION_HEADER, ROLE_HEADER, SIDE_HEADER, KEY_HEADER)

CORRELATION_HEADER = "X-Correlation-Id"

ROLES = ("partner", "secretariat", "auditor")


@dataclass(frozen=True)
class Principal:
    """Who is calling: an organisation, acting in a role (secretariat keys carry a side)."""

    organisation_id: str
    role: str
    key_id: str
    side: str | None = None

    @property
    def is_secretariat(self) -> bool:
        return self.role == "secretariat"

    @property
    def can_read_everything(self) -> bool:
        return self.role in ("secretariat", "auditor")

    def headers(self) -> dict[str, str]:
        return {
            ORGANISATION_HEADER: self.organisation_id,
            ROLE_HEADER: self.role,
            KEY_HEADER: self.key_id,
            SIDE_HEADER: self.side or "",
        }


def principal_from_headers(headers: Mapping[str, str]) -> Principal | None:
    """The principal the gateway vouched for, or None when the headers are absent or odd."""
    organisation_id = headers.get(ORGANISATION_HEADER)
    role = headers.get(ROLE_HEADER)
    key_id = headers.get(KEY_HEADER)
    if not organisation_id or not key_id or role not in ROLES:
        return None
    return Principal(organisation_id, role, key_id, headers.get(SIDE_HEADER) or None)


class ErrorSchema(Schema):
    """The one error body of every service: {code, status, message, errors?}."""

    code = fields.Integer(required=True, metadata={"example": 422})
    status = fields.String(required=True, metadata={"example": "Unprocessable Entity"})
    message = fields.String(required=True)
    errors = fields.Dict(metadata={"description": "field-level messages"})


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON answers (``app.json``) written by ``setu_contract.jsonio``: keys sorted,
    Flask's conversions (``default``), text outside ASCII as UTF-8. What jsonio refuses (an
    integer beyond 64 bits, which only a client's own input could hold) is written by
    Flask's own provider; reading stays Flask's."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        indent = bool(kwargs.get("indent"))
        try:
            return jsonio.dumps(obj, default=self.default, sort_keys=self.sort_keys, indent=indent)
        except TypeError:
            return super().dumps(obj, **kwargs)
