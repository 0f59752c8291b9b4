"""The secretariat's screening form: its side's regime and licensing authority are given by
the side, so the officer chooses the outcome and says what was screened and why."""

from __future__ import annotations

from typing import Any

REGIME = {"JP": "FEFTA", "IN": "SCOMET"}
AUTHORITY = {"JP": "METI", "IN": "DGFT"}
OUTCOMES = ("cleared", "licence_required", "needs_information", "denied")
BASES = ("list", "catch_all")


def body_of(form: Any, side: str) -> dict[str, Any]:
    """The API body from the form's fields; a licence only when one is asked for."""
    outcome = form.get("outcome") or ""
    body: dict[str, Any] = {
        "jurisdiction": side,
        "regime": REGIME.get(side, ""),
        "classification": (form.get("classification") or "").strip(),
        "basis": form.get("basis") or "",
        "outcome": outcome,
        "notes": (form.get("notes") or "").strip() or None,
    }
    if outcome == "licence_required":
        body["licence"] = {
            "number": (form.get("licence_number") or "").strip(),
            "authority": AUTHORITY.get(side, ""),
            "valid_until": (form.get("licence_valid_until") or "").strip(),
        }
    return body


def current(screenings: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each side's current screening."""
    return {s["jurisdiction"]: s for s in screenings if s.get("current")}


# The API's screening fields as the form names them.
FORM_FIELDS = {"licence.valid_until": "licence_valid_until", "licence.number": "licence_number"}


def form_errors(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """The API's field messages under the form's field names."""
    return {
        FORM_FIELDS.get(name, "licence_number" if name.startswith("licence") else name): messages
        for name, messages in errors.items()
    }
