"""Signed one-click unsubscribe tokens (RFC 8058): the link itself is the credential."""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

REPORTS_LIST = "reports"
_SALT = "setu.notifications.unsubscribe"


class InvalidToken(ValueError):
    pass


def make_token(
    secret: str, email: str, list_name: str = REPORTS_LIST, language: str | None = None
) -> str:
    """The token of ``email`` on ``list_name``; with the language of the email that carries
    it, the pages the link opens speak it."""
    claim = {"e": email.lower(), "l": list_name}
    if language:
        claim["g"] = language
    return URLSafeSerializer(secret, salt=_SALT).dumps(claim)


def _claim(secret: str, token: str) -> dict[str, object]:
    """What a token this service signed says, else InvalidToken."""
    try:
        data = URLSafeSerializer(secret, salt=_SALT).loads(token)
    except BadSignature as exc:
        raise InvalidToken("this unsubscribe link is not valid") from exc
    if not isinstance(data, dict) or not isinstance(data.get("e"), str):
        raise InvalidToken("this unsubscribe link is not valid")
    return data


def read_token(secret: str, token: str) -> tuple[str, str]:
    """(email, list) of a token this service signed, else InvalidToken."""
    data = _claim(secret, token)
    return str(data["e"]), str(data.get("l") or REPORTS_LIST)


def token_language(secret: str, token: str) -> str | None:
    """The language of the email a token came in, if it says (older tokens do not)."""
    try:
        language = _claim(secret, token).get("g")
    except InvalidToken:
        return None
    return language if isinstance(language, str) else None


def unsubscribe_url(public_url: str, secret: str, email: str, language: str | None = None) -> str:
    return f"{public_url}/v1/unsubscribe/{make_token(secret, email, language=language)}"
