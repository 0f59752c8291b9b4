"""A call's form: the fields of the page to the API's JSON and back.

Plain HTML without JavaScript: criteria are a fixed number of rows, an empty row is left
out. Each field is named as the API names it (``budget_envelope.JPY``,
``review.criteria.0.label``), so the API's 422 field errors land beside their fields.
Times are written as the call's time zone reads them (no offset): the API reads them there.
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from console.entered import whole_number

CRITERION_ROWS = 5
CURRENCIES = ("JPY", "INR")
TIME_ZONES = ("Asia/Tokyo", "Asia/Kolkata", "UTC")
ORGANISATION_KINDS = ("university", "company", "research_institute", "government_agency")


def _text(form: MultiDict[str, str], name: str) -> str:
    return (form.get(name) or "").strip()


def _moment(value: str) -> str:
    return value.replace(" ", "T", 1)


def body_of(form: MultiDict[str, str]) -> dict[str, Any]:
    """The API's JSON for what was entered (as entered: the API says what is wrong)."""
    body: dict[str, Any] = {
        "title": _text(form, "title"),
        "description": _text(form, "description"),
        "focus_areas": form.getlist("focus_areas"),
        "opens_at": _moment(_text(form, "opens_at")),
        "closes_at": _moment(_text(form, "closes_at")),
        "timezone": _text(form, "timezone"),
        "budget_envelope": {c: _text(form, f"budget_envelope.{c}") for c in CURRENCIES},
    }
    caps = {c: v for c in CURRENCIES if (v := _text(form, f"max_budget_per_programme.{c}"))}
    body["max_budget_per_programme"] = caps or None
    eligibility: dict[str, Any] = {}
    if kinds := form.getlist("eligibility.organisation_kinds"):
        eligibility["organisation_kinds"] = kinds
    for name in ("min_partners", "max_partners"):
        if value := _text(form, f"eligibility.{name}"):
            eligibility[name] = whole_number(value)
    body["eligibility"] = eligibility
    criteria = []
    for row in range(CRITERION_ROWS):
        label = _text(form, f"review.criteria.{row}.label")
        if not label:
            continue
        criteria.append(
            {
                "key": _text(form, f"review.criteria.{row}.key") or f"criterion_{row + 1}",
                "label": label,
                "weight": whole_number(_text(form, f"review.criteria.{row}.weight")),
            }
        )
    body["review"] = {
        "reviewers_per_proposal": whole_number(_text(form, "review.reviewers_per_proposal")),
        "due_days": whole_number(_text(form, "review.due_days")),
        "criteria": criteria,
    }
    return body


def local_time(value: str | None) -> str:
    """An ISO time of the API (in the call's zone, with its offset) as the form writes it."""
    return (value or "")[:16].replace("T", " ")


def values_of(call: dict[str, Any] | None) -> dict[str, Any]:
    """What the form shows: a call's fields, or a new one's defaults."""
    if call is None:
        return {
            "timezone": "Asia/Tokyo",
            "focus_areas": [],
            "budget_envelope": {},
            "max_budget_per_programme": {},
            "eligibility": {},
            "review": {"reviewers_per_proposal": 3, "due_days": 14, "criteria": []},
        }
    return {
        **call,
        "opens_at": local_time(call.get("opens_at")),
        "closes_at": local_time(call.get("closes_at")),
        "max_budget_per_programme": call.get("max_budget_per_programme") or {},
        "eligibility": call.get("eligibility") or {},
    }


def entered(body: dict[str, Any]) -> dict[str, Any]:
    """A body sent back to the form as it was entered."""
    return {**body, "max_budget_per_programme": body.get("max_budget_per_programme") or {}}


def criterion_rows(values: dict[str, Any]) -> list[dict[str, Any]]:
    criteria = list((values.get("review") or {}).get("criteria") or [])
    return criteria + [{}] * max(0, CRITERION_ROWS - len(criteria))
