"""People: which roles an organisation's people may hold, their defaults, and the secrets of
sign-in (sessions and recovery codes), made here and stored only as hashes."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from zoneinfo import available_timezones

SESSION_PREFIX = "setus_"
# A link lasts 15 minutes and is used once; a person gets at most 5 of them in 15 minutes.
LINK_LIFETIME = timedelta(minutes=15)
LINKS_PER_WINDOW = 5
# A session ends after 30 idle minutes, 12 hours at most.
SESSION_IDLE = timedelta(minutes=30)
SESSION_MAX = timedelta(hours=12)
# The idle deadline is moved on at most once a minute: not a write on every request.
IDLE_RENEWAL = timedelta(minutes=1)
# Wrong codes before the person is locked out, and for how long.
CODE_ATTEMPTS = 5
LOCK_TIME = timedelta(minutes=15)
RECOVERY_CODES = 10

DEFAULT_TIME_ZONES = {"JP": "Asia/Tokyo", "IN": "Asia/Kolkata"}
# Roles that confirm every sign-in with a TOTP code; partners may turn it on.
TOTP_REQUIRED = frozenset({"secretariat", "auditor", "reviewer"})

ROLES_OF_KIND = {"secretariat": ("secretariat", "auditor"), "expert_panel": ("reviewer",)}


def roles_for(organisation_kind: str) -> tuple[str, ...]:
    """The roles a person of this kind of organisation may hold."""
    return ROLES_OF_KIND.get(organisation_kind, ("partner",))


def is_time_zone(name: str) -> bool:
    return name in _zones()


_ZONES: set[str] = set()


def _zones() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones())
    return _ZONES


def email_key(email: str) -> str:
    return email.strip().lower()


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def new_session_secret(session_id: str) -> tuple[str, str]:
    """A session's bearer token and the hash of its secret (the only part stored)."""
    secret = secrets.token_urlsafe(32)
    return f"{SESSION_PREFIX}{session_id}.{secret}", sha256(secret)


def session_parts(token: str) -> tuple[str, str] | None:
    """(session id, hash of its secret) of a ``setus_<id>.<secret>`` token, or None."""
    if not token.startswith(SESSION_PREFIX):
        return None
    session_id, dot, secret = token[len(SESSION_PREFIX) :].partition(".")
    if not dot or len(session_id) != 36 or not secret or len(secret) > 100:
        return None
    return session_id, sha256(secret)


def new_recovery_codes() -> list[str]:
    """Ten one-time codes such as ``4f3a-9c1e-07bd``."""
    return ["-".join(secrets.token_hex(2) for _ in range(3)) for _ in range(RECOVERY_CODES)]


def recovery_key(code: str) -> str:
    return sha256(code.strip().lower())
