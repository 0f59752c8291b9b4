"""Who acted, as an email names it: "田中 裕子, JP side" (a person, or a key by its name), in
the reader's language from the service's catalogues."""

from __future__ import annotations

from typing import Any

from babel.support import NullTranslations

from setu_contract.translations import N_

SIDES = {"JP": N_("JP side"), "IN": N_("IN side")}


def actor_text(actor: dict[str, Any] | None, words: NullTranslations) -> str | None:
    """The actor's name and side, or None when the event names nobody."""
    if not actor:
        return None
    name = actor.get("name")
    if not name:
        name = words.gettext("(name erased)")
    elif actor.get("kind") == "key":
        name = words.gettext("API key “%(name)s”") % {"name": name}
    side = SIDES.get(actor.get("side") or "")
    if side is None:
        return name
    return words.gettext("%(name)s, %(side)s") % {"name": name, "side": words.gettext(side)}


def approvals(approved_by: list[dict[str, Any]], words: NullTranslations) -> list[dict[str, Any]]:
    """Each side's approver, named, and its comment."""
    return [
        {"who": actor_text(a.get("actor"), words) or a.get("side"), "comment": a.get("comment")}
        for a in approved_by
    ]
