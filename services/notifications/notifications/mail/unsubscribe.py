"""Signed one-click unsubscribe tokens (RFC 8058): the link itself is the credential."""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

REPORTS_LIST = "reports"
_SALT = "setu.notifications.unsubscribe"


class InvalidToken(ValueError):
    pass


def make_token(secret: str, email: str, list_name: str = REPORTS_LIST) -> str:
    return URLSafeSerializer(secret, salt=_SALT).dumps({"e": email.lower(), "l": list_name})


def read_token(secret: str, token: str) -> tuple[str, str]:
    """(email, list) of a token this service signed, else InvalidToken."""
    try:
        data = URLSafeSerializer(secret, salt=_SALT).loads(token)
    except BadSignature as exc:
        raise InvalidToken("this unsubscribe link is not valid") from exc
    if not isinstance(data, dict) or not isinstance(data.get("e"), str):
        raise InvalidToken("this unsubscribe link is not valid")
    return data["e"], str(data.get("l") or REPORTS_LIST)


def unsubscribe_url(public_url: str, secret: str, email: str) -> str:
    return f"{public_url}/v1/unsubscribe/{make_token(secret, email)}"
