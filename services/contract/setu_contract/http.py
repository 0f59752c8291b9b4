"""HTTP conventions shared by the services behind the gateway.

The programmes service owns organisations and API keys. The gateway asks it to authorise
each request bound for another service (``AUTHORIZE_PATH``, as nginx's ``auth_request``
does), naming the request's method and target in ``X-Original-Method`` and
``X-Original-URI``, and passes the answer on in the identity headers below, after removing
any such header the client sent. The answer is signed under ``SETU_INTERNAL_SECRET``
(``sign_identity``): an HMAC over the identity, the time and the method and target it is
for, so nginx passes it on without a module of its own. Services behind the gateway accept
the identity only with a signature that is fresh and made for the request they are
answering (``verified_principal``): whoever else reaches their port cannot vouch for
anyone.

The console calls the API for everyone it serves from one address of its own; it names the
person's own address in ``CLIENT_ADDRESS_HEADER``, signed the same way for the request it
sends (``sign_client_address``), so that programmes limits failed authentications per
person's address, not per console (``verified_client_address``). The gateways pass both
headers on; without a valid signature they are ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol, Self
from urllib.parse import quote

from flask.json.provider import DefaultJSONProvider
from marshmallow import Schema, fields
from urllib3 import BaseHTTPResponse, Retry
from urllib3.connectionpool import ConnectionPool
from urllib3.exceptions import ReadTimeoutError

from setu_contract import jsonio, request_json

AUTHORIZE_PATH = "/internal/authorize"

ORGANISATION_HEADER = "X-Setu-Organisation-Id"
ROLE_HEADER = "X-Setu-Role"
SIDE_HEADER = "X-Setu-Side"
KEY_HEADER = "X-Setu-Key-Id"
# A signed-in person's id (empty for a key): the key header then names the person's session.
PERSON_HEADER = "X-Setu-Person-Id"
SIGNATURE_HEADER = "X-Setu-Identity-Signature"
IDENTITY_HEADERS = (
    ORGANISATION_HEADER,
    ROLE_HEADER,
    SIDE_HEADER,
    KEY_HEADER,
    PERSON_HEADER,
    SIGNATURE_HEADER,
)

# What the gateway asks AUTHORIZE_PATH about: the request it is about to forward.
ORIGINAL_METHOD_HEADER = "X-Original-Method"
ORIGINAL_URI_HEADER = "X-Original-URI"

# How long a signature vouches for its request: the gateway forwards at once, so anything
# older is a replay.
SIGNATURE_MAX_AGE = 30.0
_SIGNATURE = re.compile(r"t=(?P<t>[0-9]{1,12}),v1=(?P<mac>[0-9a-f]{64})")

CORRELATION_HEADER = "X-Correlation-Id"

# The one answer (401) to a request without a valid key, session or signed identity.
UNAUTHENTICATED = "authentication required: send Authorization: Bearer <api key>"

# The address of the person a trusted client (the console) calls for, and its signature.
CLIENT_ADDRESS_HEADER = "X-Setu-Client-Address"
CLIENT_ADDRESS_SIGNATURE_HEADER = "X-Setu-Client-Address-Signature"
CLIENT_ADDRESS_HEADERS = (CLIENT_ADDRESS_HEADER, CLIENT_ADDRESS_SIGNATURE_HEADER)

# The roles of API keys; people may also be reviewers (a person only).
ROLES = ("partner", "secretariat", "auditor")
PERSON_ROLES = (*ROLES, "reviewer")


@dataclass(frozen=True)
class Principal:
    """Who is calling: an organisation, acting in a role (secretariat keys carry a side),
    through a key or, for a signed-in person, a session (``key_id`` is then the session's id
    and ``person_id`` the person's). ``name`` is the key's or the person's, for the record
    of who acted; it is not part of the identity headers."""

    organisation_id: str
    role: str
    key_id: str
    side: str | None = None
    person_id: str | None = None
    name: str | None = None

    @property
    def caller_id(self) -> str:
        """Whom the rate limit and stored answers are counted for: the person, else the key."""
        return self.person_id or self.key_id

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
            PERSON_HEADER: self.person_id or "",
        }


class HeaderLookup(Protocol):
    """What the identity checks read of a request's headers: a dict, or werkzeug's Headers."""

    def get(self, key: str, /) -> str | None: ...


def principal_from_headers(headers: HeaderLookup) -> Principal | None:
    """The principal the identity headers name (signed or not), or None when they are absent
    or odd. Services take it only through ``verified_principal``."""
    organisation_id = headers.get(ORGANISATION_HEADER)
    role = headers.get(ROLE_HEADER)
    key_id = headers.get(KEY_HEADER)
    if not organisation_id or not key_id or role not in PERSON_ROLES:
        return None
    side = headers.get(SIDE_HEADER) or None
    return Principal(organisation_id, role, key_id, side, headers.get(PERSON_HEADER) or None)


def _mac(
    secret: str, purpose: str, signed_at: int, method: str, target: str, values: tuple[str, ...]
) -> str:
    fields = (purpose, str(signed_at), method.upper(), target, *values)
    message = "\n".join(fields).encode("utf-8", "surrogatepass")
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _identity_mac(
    secret: str, principal: Principal, method: str, target: str, signed_at: int
) -> str:
    values = (
        principal.organisation_id,
        principal.role,
        principal.side or "",
        principal.key_id,
        principal.person_id or "",
    )
    return _mac(secret, "setu-identity-v1", signed_at, method, target, values)


def _fresh_signature(value: str | None, secret: str, now: float | None) -> tuple[int, str] | None:
    """The time and mac of a signature header, if well formed and young enough."""
    signature = _SIGNATURE.fullmatch(value or "")
    if signature is None or not secret:
        return None
    signed_at = int(signature["t"])
    if abs((time.time() if now is None else now) - signed_at) > SIGNATURE_MAX_AGE:
        return None
    return signed_at, signature["mac"]


def sign_identity(
    principal: Principal, secret: str, method: str, target: str, now: float | None = None
) -> dict[str, str]:
    """The identity headers of ``principal``, signed for one request (``method`` and its
    ``target`` as the client sent it: path and query, still percent-encoded)."""
    signed_at = int(time.time() if now is None else now)
    mac = _identity_mac(secret, principal, method, target, signed_at)
    return {**principal.headers(), SIGNATURE_HEADER: f"t={signed_at},v1={mac}"}


def verified_principal(
    headers: HeaderLookup, secret: str, method: str, target: str, now: float | None = None
) -> Principal | None:
    """The principal of the identity headers if their signature is ``secret``'s, made for
    this method and target less than SIGNATURE_MAX_AGE ago; else None."""
    principal = principal_from_headers(headers)
    signed = _fresh_signature(headers.get(SIGNATURE_HEADER), secret, now)
    if principal is None or signed is None:
        return None
    expected = _identity_mac(secret, principal, method, target, signed[0])
    return principal if hmac.compare_digest(expected, signed[1]) else None


def sign_client_address(
    address: str, secret: str, method: str, target: str, now: float | None = None
) -> dict[str, str]:
    """The headers naming ``address`` as the caller's, signed for one request (as
    ``sign_identity``)."""
    signed_at = int(time.time() if now is None else now)
    mac = _mac(secret, "setu-client-address-v1", signed_at, method, target, (address,))
    return {
        CLIENT_ADDRESS_HEADER: address,
        CLIENT_ADDRESS_SIGNATURE_HEADER: f"t={signed_at},v1={mac}",
    }


def verified_client_address(
    headers: HeaderLookup, secret: str, method: str, target: str, now: float | None = None
) -> str | None:
    """The address of ``CLIENT_ADDRESS_HEADER`` if its signature is ``secret``'s, made for
    this method and target less than SIGNATURE_MAX_AGE ago; else None."""
    address = headers.get(CLIENT_ADDRESS_HEADER)
    signed = _fresh_signature(headers.get(CLIENT_ADDRESS_SIGNATURE_HEADER), secret, now)
    if not address or signed is None:
        return None
    values = (address,)
    expected = _mac(secret, "setu-client-address-v1", signed[0], method, target, values)
    return address if hmac.compare_digest(expected, signed[1]) else None


def request_target(request_env: Mapping[str, Any]) -> str:
    """The request's target as the client sent it (path and query, still percent-encoded):
    what gunicorn and werkzeug keep in RAW_URI; rebuilt from the decoded path otherwise."""
    raw = request_env.get("RAW_URI") or request_env.get("REQUEST_URI")
    if raw:
        return str(raw)
    decoded = request_env.get("SCRIPT_NAME", "") + request_env.get("PATH_INFO", "")
    path = quote(decoded, safe="/;=,", encoding="latin-1", errors="replace")  # WSGI: latin-1
    query = request_env.get("QUERY_STRING", "")
    return f"{path}?{query}" if query else path


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
    Flask's own provider. Reading (``request.get_json()``) is ``request_json.loads``, with
    its limits."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        indent = bool(kwargs.get("indent"))
        try:
            return jsonio.dumps(obj, default=self.default, sort_keys=self.sort_keys, indent=indent)
        except TypeError:
            return super().dumps(obj, **kwargs)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return request_json.loads(s)


# How a hop between Setu's own processes (the console to the gateway, the local gateway to a
# service) treats a pooled keep-alive connection the server closed: urllib3 drops one it
# sees closed before reusing it, but a server may close it just as a request is sent on it
# (gunicorn ends idle keep-alive connections after 5 s). Such a failure is tried once more on
# a new connection for a read; a write is not sent again, as it may have been done. No
# redirect is followed and no status is retried: the answer is passed on as it came.
class _DroppedConnectionRetry(Retry):
    """urllib3's Retry, except that a read that timed out is not sent again: the server
    is slow, not gone, and asking twice would double both the caller's wait and the load on
    a server already behind."""

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        if isinstance(error, ReadTimeoutError):
            raise error
        return super().increment(method, url, response, error, _pool, _stacktrace)


REUSED_CONNECTION_RETRY = _DroppedConnectionRetry(
    total=1,
    connect=1,
    read=1,
    status=0,
    other=0,
    redirect=False,
    allowed_methods=frozenset({"GET", "HEAD"}),
    raise_on_status=False,
)
