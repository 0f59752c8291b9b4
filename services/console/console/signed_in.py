"""Who is signed in to this browser: the session token and what /v1/me said, in the session.

The session cookie (signed with SETU_SECRET_KEY, HttpOnly, SameSite=Lax, Secure behind
HTTPS) holds the person's session token and the few facts a page needs to be drawn (name,
role, side, organisation, language, time zone). The API decides everything else on every
request: a session it has ended (signed out, expired, the person deactivated) answers 401,
and the console forgets it and asks the person to sign in again.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, redirect, request, session, url_for

from console.api_client.base import ApiClient

ACTIVE = "active"
CONSOLE_PREFIX = "/console/"


def safe_next(candidate: str | None) -> str | None:
    """``candidate`` if it is a path of the console on this site, else None: `next` never
    sends a person to another site (an open redirect) or outside the console."""
    if not candidate or "\\" in candidate or any(ord(c) < 32 for c in candidate):
        return None
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc or not parts.path.startswith(CONSOLE_PREFIX):
        return None
    if "/.." in parts.path or candidate.startswith("//"):
        return None
    return candidate


def here() -> str:
    """This page's path and query, as `next` carries it."""
    query = request.query_string.decode("latin-1")
    return request.path + (f"?{query}" if query else "")


def api(token: str | None = None) -> ApiClient:
    """The API, as the signed-in person (or as nobody before sign-in)."""
    from console.translations import current_language

    transport = current_app.extensions["console.transport"]
    chosen = token if token is not None else session.get("token")
    return ApiClient(transport, chosen, current_language(), browser_address())


def browser_address() -> str:
    """The person's own address: the last in X-Forwarded-For, which the gateway sets to the
    address it was reached from; else the socket's. The API limits failed sign-ins by it."""
    forwarded = request.headers.get("X-Forwarded-For", "").rsplit(",", 1)[-1].strip()
    return forwarded or request.remote_addr or ""


def me() -> dict[str, Any]:
    return session.get("me") or {}


def remember(token: str, state: str, who: dict[str, Any] | None = None) -> None:
    """Keep a new session: a fresh cookie, so nothing from before sign-in carries over."""
    kept_next = session.get("next")
    language = session.get("language")
    session.clear()
    session["token"] = token
    session["state"] = state
    if kept_next:
        session["next"] = kept_next
    if language:
        session["language"] = language
    if who is not None:
        keep_who(who)


def keep_who(who: dict[str, Any]) -> None:
    """What /v1/me answered, as much of it as a page shows (no email: not needed)."""
    person = who.get("person") or {}
    organisation = who.get("organisation") or {}
    key = who.get("key") or {}
    session["me"] = {
        "name": person.get("name") or key.get("name") or "",
        "person_id": person.get("id"),
        "role": who.get("role") or person.get("role"),
        "side": who.get("side") or organisation.get("side"),
        "organisation_id": organisation.get("id") or person.get("organisation_id"),
        "organisation_name": organisation.get("name") or "",
        "country": organisation.get("country"),
        "kind": organisation.get("kind"),
    }
    if person.get("language"):
        session["language"] = person["language"]
    zone = person.get("time_zone") or {"JP": "Asia/Tokyo", "IN": "Asia/Kolkata"}.get(
        organisation.get("country") or ""
    )
    if zone:
        session["time_zone"] = zone


def forget() -> None:
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language


def sign_in_redirect() -> Any:
    return redirect(url_for("sign_in.start", next=safe_next(here())))


def signed_in(view: Callable[..., Any]) -> Callable[..., Any]:
    """Only for a person signed in with an active session; else to sign-in (or to its
    second step), and back to this page afterwards."""

    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not session.get("token"):
            return sign_in_redirect()
        if session.get("state") != ACTIVE:
            session["next"] = safe_next(here())
            return redirect(url_for("sign_in.second_step"))
        return view(*args, **kwargs)

    return guarded
