"""What in an event names a person, and how it is taken out (personal-data erasure).

An application's events carry the applicant block, the statement and a transition's
comment: everything in them that may name the applicant. Once the application's personal
data is erased, every copy of those events keeps its anonymous facts (direction, career
stage, dates, statuses) and loses these fields; ``personal_values`` gives the texts to
look for in what else a service wrote (an error message, a log of a delivery).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

# The fields of an application's snapshot (and of its events' data) that name the person.
PERSONAL_FIELDS = ("applicant", "statement", "comment")
# What a redacted text shows where a personal value stood.
REDACTED = "[erased]"


def carries_personal_data(envelope: dict[str, Any]) -> bool:
    """Is ``envelope`` an application event with any personal field filled in?"""
    if not str(envelope.get("type", "")).startswith("application."):
        return False
    data = envelope.get("data") or {}
    return any(data.get(name) for name in PERSONAL_FIELDS)


def erased_data(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of an application snapshot with its personal fields emptied (those it has)."""
    erased = {**data, **{name: None for name in PERSONAL_FIELDS if name in data}}
    if "personal_data_erased" in data:
        erased["personal_data_erased"] = True
    return erased


def without_personal_data(envelope: dict[str, Any]) -> dict[str, Any]:
    """The envelope as it stands after its application's erasure (the same object when it
    carries no personal data)."""
    if not carries_personal_data(envelope):
        return envelope
    return {**envelope, "data": erased_data(envelope["data"])}


def personal_values(envelope: dict[str, Any]) -> set[str]:
    """The texts of an application event that name or describe the person."""
    if not str(envelope.get("type", "")).startswith("application."):
        return set()
    data = envelope.get("data") or {}
    applicant = data.get("applicant") or {}
    found = (applicant.get("full_name"), applicant.get("email"))
    return {
        value
        for value in (*found, data.get("statement"), data.get("comment"))
        if isinstance(value, str) and value.strip()
    }


def redact(text: str | None, values: Iterable[str]) -> str | None:
    """``text`` with every one of ``values`` replaced (ignoring case: mail servers and
    receivers may change an address's case)."""
    if not text:
        return text
    for value in sorted(set(values), key=len, reverse=True):
        if value.strip():
            text = re.sub(re.escape(value), REDACTED, text, flags=re.IGNORECASE)
    return text


# The fields of a person (an actor, a person.* event's data) that name it.
PERSON_FIELDS = ("name", "email")


def without_person(value: Any, person_id: str) -> Any:
    """``value`` (JSON) with the name and address emptied in every object that is the person
    (its ``id``) and names it: a person's erasure; the same object when nothing named it."""
    if isinstance(value, list):
        items = [without_person(item, person_id) for item in value]
        changed = any(new is not old for new, old in zip(items, value, strict=True))
        return items if changed else value
    if not isinstance(value, dict):
        return value
    changed_items = {
        name: new
        for name, item in value.items()
        if (new := without_person(item, person_id)) is not item
    }
    names_it = value.get("id") == person_id and any(value.get(f) for f in PERSON_FIELDS)
    if not changed_items and not names_it:
        return value
    erased = {**value, **changed_items}
    if names_it:
        erased.update({f: None for f in PERSON_FIELDS if f in value})
    return erased


def without_actor_names(envelope: dict[str, Any]) -> dict[str, Any]:
    """The envelope without the names of who acted (``actor``, and each approval's): for a
    consumer that counts decisions and never writes to people."""
    data = envelope.get("data") or {}
    if not data.get("actor") and not data.get("approved_by"):
        return envelope
    erased = dict(data)
    if isinstance(data.get("actor"), dict):
        erased["actor"] = {**data["actor"], "name": None}
    if isinstance(data.get("approved_by"), list):
        erased["approved_by"] = [
            {**a, "actor": {**a["actor"], "name": None}} if isinstance(a.get("actor"), dict) else a
            for a in data["approved_by"]
        ]
    return {**envelope, "data": erased}
