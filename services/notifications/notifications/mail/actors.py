"""Who acted, as an email names it: "田中 裕子, JP side" (a person or a key, by its name)."""

from __future__ import annotations

from typing import Any

_SIDES = {
    "en": {"JP": "JP side", "IN": "IN side"},
    "ja": {"JP": "日本側", "IN": "インド側"},
    "hi": {"JP": "जापान पक्ष", "IN": "भारत पक्ष"},
}
_ERASED = {"en": "(name erased)", "ja": "（氏名削除済み）", "hi": "(नाम मिटाया गया)"}  # noqa: RUF001
_KEY = {"en": "API key “{}”", "ja": "APIキー「{}」", "hi": "API कुंजी “{}”"}


def actor_text(actor: dict[str, Any] | None, language: str) -> str | None:
    """The actor's name and side in ``language``, or None when the event names nobody."""
    if not actor:
        return None
    name = actor.get("name")
    if not name:
        name = _ERASED.get(language, _ERASED["en"])
    elif actor.get("kind") == "key":
        name = _KEY.get(language, _KEY["en"]).format(name)
    side = _SIDES.get(language, _SIDES["en"]).get(actor.get("side") or "")
    if not side:
        return name
    return f"{name}（{side}）" if language == "ja" else f"{name}, {side}"  # noqa: RUF001


def approvals(approved_by: list[dict[str, Any]], language: str) -> list[dict[str, Any]]:
    """Each side's approver, named, and its comment."""
    return [
        {"who": actor_text(a.get("actor"), language) or a.get("side"), "comment": a.get("comment")}
        for a in approved_by
    ]
