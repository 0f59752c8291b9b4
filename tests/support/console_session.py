"""A console session cookie for an API key, made in tests only.

Until people can sign in (the people API), the browser tests act as the partner and
secretariat keys they are given: the console forwards its session's token as a Bearer
credential, so a key in the cookie acts as that key would. The cookie is signed as the
console signs its own (its create_app, with the system's SETU_SECRET_KEY). The product has
no way to make such a session.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from console.app import create_app
from console.config import Config


def secret_key_of(data_dir: Path) -> str:
    """The SETU_SECRET_KEY `setu up` made for a system under ``data_dir``."""
    return (data_dir / "secrets" / "setu_secret_key").read_text().strip()


def key_session_cookie(secret_key: str, key: str, me: dict[str, Any], language: str) -> str:
    """The cookie a browser holds after its first page: with its CSRF token already in it
    (flask-wtf's session key), so that a load generator replaying it is not a first visit
    on every request (a new token, and a new cookie, each time)."""
    # The cookie needs only the secret key; the internal secret is one the console accepts.
    config = Config("http://unused.invalid", secret_key=secret_key, internal_secret=secret_key)
    app = create_app(config)
    serializer = app.session_interface.get_signing_serializer(app)
    zone = {"JP": "Asia/Tokyo", "IN": "Asia/Kolkata"}.get(me.get("country") or "", "UTC")
    return serializer.dumps(
        {
            "token": key,
            "state": "active",
            "me": me,
            "language": language,
            "time_zone": zone,
            "csrf_token": secrets.token_hex(20),
        }
    )
