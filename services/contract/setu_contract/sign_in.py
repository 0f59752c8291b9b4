"""One-time sign-in links: ``setul_<link_id>.<mac>``, the mac an HMAC of the id.

Programmes stores and puts in its events only the link's id; notifications writes the
link into the email, making the mac under ``SETU_INTERNAL_SECRET``, which both services
hold. So the event log, Redis and the databases hold no usable link: whoever reads them
lacks the secret, and a link once used is refused whatever it carries.
"""

from __future__ import annotations

import hashlib
import hmac
import re

LINK_PREFIX = "setul_"
_TOKEN = re.compile(r"setul_(?P<id>[0-9a-f-]{36})\.(?P<mac>[0-9a-f]{64})")


def _mac(secret: str, link_id: str) -> str:
    message = f"setu-sign-in-v1\n{link_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def link_token(secret: str, link_id: str) -> str:
    """The token of a sign-in link, as the email carries it."""
    return f"{LINK_PREFIX}{link_id}.{_mac(secret, link_id)}"


def link_id_of(secret: str, token: str) -> str | None:
    """The link id of a token whose mac is right, else None."""
    found = _TOKEN.fullmatch(token or "")
    if found is None or not secret:
        return None
    return found["id"] if hmac.compare_digest(_mac(secret, found["id"]), found["mac"]) else None


def console_sign_in_url(public_url: str, secret: str, link_id: str) -> str:
    return f"{public_url.rstrip('/')}/console/sign-in/{link_token(secret, link_id)}"
