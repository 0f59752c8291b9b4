"""Signed download links: the link itself is the credential, for REPORT_LINK_DAYS.

A link names the report, the generation of its links (revoking them moves it on) and the
moment it expires, signed (HMAC-SHA256, itsdangerous) under SETU_SECRET_KEY. Anything else
-- a changed character, another key, an expired or revoked link -- is not a link.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from itsdangerous import BadSignature, URLSafeSerializer

_SALT = "setu.reports.download-link"
PATH = "/v1/report-links"


class InvalidLink(ValueError):
    pass


@dataclass(frozen=True)
class LinkClaim:
    report_id: str
    generation: int
    expires_at: datetime


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=_SALT, signer_kwargs={"digest_method": hashlib.sha256})


def sign(secret: str, claim: LinkClaim) -> str:
    expires = int(claim.expires_at.timestamp())
    return _serializer(secret).dumps([claim.report_id, claim.generation, expires])


def read(secret: str, token: str, now: datetime) -> LinkClaim:
    """The claim of a link this service signed that has not expired, else InvalidLink."""
    try:
        data = _serializer(secret).loads(token)
    except BadSignature as exc:
        raise InvalidLink("not a link of this service") from exc
    if not (
        isinstance(data, list)
        and len(data) == 3
        and isinstance(data[0], str)
        and all(isinstance(n, int) and not isinstance(n, bool) for n in data[1:])
    ):
        raise InvalidLink("not a link of this service")
    claim = LinkClaim(data[0], data[1], datetime.fromtimestamp(data[2], UTC))
    if now >= claim.expires_at:
        raise InvalidLink("the link has expired")
    return claim
