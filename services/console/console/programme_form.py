"""A programme's form: the fields of the page to the API's JSON and back.

Plain HTML without JavaScript, so partners and budget lines are a fixed number of rows; an
empty row is left out. The API checks every rule and its 422 field errors are shown beside
the fields (GOV.UK's error summary and error messages).
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from console.entered import whole_number

PARTNER_ROWS = 6
BUDGET_ROWS = 6
TEXT_FIELDS = ("title", "summary", "focus_area", "start_date", "end_date")


def body_of(form: MultiDict[str, str]) -> dict[str, Any]:
    """The API's JSON for what was entered (as entered: the API says what is wrong)."""
    body: dict[str, Any] = {name: (form.get(name) or "").strip() for name in TEXT_FIELDS}
    slots = (form.get("exchange_slots") or "").strip()
    body["exchange_slots"] = whole_number(slots) if slots else 0
    body["call_id"] = (form.get("call_id") or "").strip() or None
    body["partners"] = [
        {"organisation_id": organisation, "role": form.get(f"partner-{row}-role") or "member"}
        for row in range(PARTNER_ROWS)
        if (organisation := (form.get(f"partner-{row}-organisation_id") or "").strip())
    ]
    body["budget"] = [
        {
            "organisation_id": organisation,
            "currency": form.get(f"budget-{row}-currency") or "",
            "amount": (form.get(f"budget-{row}-amount") or "").strip(),
        }
        for row in range(BUDGET_ROWS)
        if (organisation := (form.get(f"budget-{row}-organisation_id") or "").strip())
    ]
    return body


def values_of(
    programme: dict[str, Any] | None, own_organisation: str | None, call_id: str | None = None
) -> dict[str, Any]:
    """What the form shows: a programme's fields, or a new one's (this organisation lead,
    answering ``call_id`` when it was proposed from a call's page)."""
    if programme is None:
        return {
            "call_id": call_id,
            "exchange_slots": 0,
            "partners": [{"organisation_id": own_organisation, "role": "lead"}],
            "budget": [],
        }
    return {
        **{name: programme.get(name) or "" for name in TEXT_FIELDS},
        "exchange_slots": programme.get("exchange_slots", 0),
        "call_id": programme.get("call_id"),
        "partners": [
            {"organisation_id": p["organisation_id"], "role": p["role"]}
            for p in programme.get("partners") or []
        ],
        "budget": list(programme.get("budget") or []),
    }


def rows(values: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The fixed rows of the form, the entered ones first."""
    partners = list(values.get("partners") or [])
    budget = list(values.get("budget") or [])
    return {
        "partners": partners + [{}] * max(0, PARTNER_ROWS - len(partners)),
        "budget": budget + [{}] * max(0, BUDGET_ROWS - len(budget)),
    }
