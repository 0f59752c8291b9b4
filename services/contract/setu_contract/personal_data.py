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
