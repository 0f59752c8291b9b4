"""The secretariat's screening form: its side's regime and licensing authority are given by
the side, so the officer chooses the outcome and says what was screened and why."""

from __future__ import annotations

from typing import Any

from console.api_client.base import ApiError
from console.formatting import word
from console.translations import N_
from console.translations import gettext as _

REGIME = {"JP": "FEFTA", "IN": "SCOMET"}
# What was screened is on no control list, or on one as an item (3E001) the officer names:
# the API's classification is "not_listed" or that item.
NOT_LISTED = "not_listed"
LISTED = "listed"
AUTHORITY = {"JP": "METI", "IN": "DGFT"}
OUTCOMES = ("cleared", "licence_required", "needs_information", "denied")
BASES = ("list", "catch_all")


def body_of(form: Any, side: str) -> dict[str, Any]:
    """The API body from the form's fields; a licence only when one is asked for."""
    outcome = form.get("outcome") or ""
    listed = form.get("listed") or ""
    item = (form.get("list_item") or "").strip()
    body: dict[str, Any] = {
        "jurisdiction": side,
        "regime": REGIME.get(side, ""),
        "classification": NOT_LISTED if listed == NOT_LISTED else item if listed == LISTED else "",
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


def form_errors(errors: dict[str, list[str]], form: Any = None) -> dict[str, list[str]]:
    """The API's field messages under the form's field names: the classification's beside
    the list item when one was to be named, else beside the choice."""
    listed = (form or {}).get("listed")
    fields = {**FORM_FIELDS, "classification": "list_item" if listed == LISTED else "listed"}
    return {
        fields.get(name, "licence_number" if name.startswith("licence") else name): messages
        for name, messages in errors.items()
    }


def refused_fields(error: ApiError, form: Any = None) -> dict[str, list[str]]:
    """A refused screening's messages for the form: by field for a 422, else the API's
    message at the top of the form."""
    errors = {"screening": [error.message]}
    if error.status == 422:
        return form_errors(error.field_errors(), form) or errors
    return errors


# Why a side's screening does not yet allow the action, as the API names it.
REASONS = {
    "not recorded": N_("not recorded yet"),
    "licence expired": N_("its licence has expired"),
    "needs_information": N_("it needs more information"),
    "licence_required": N_("it needs a valid licence"),
    "other": N_("not cleared"),
}


def refusal(details: Any, person: bool = False) -> str | None:
    """An action export control holds (409), said in the person's language with each side's
    reason, instead of the API's English with its codes; None for any other refusal.
    ``person``: the refusal is of an exchange, whose person the host side screens."""
    if not isinstance(details, dict):
        return None
    denied = [s for s in details.get("denied_screenings") or [] if s in REGIME]
    if denied:
        return _(
            "Export control denied this (%(sides)s): it cannot go ahead.",
            sides=", ".join(_side(s) for s in denied),
        )
    expired = [s for s in details.get("expired_licences") or [] if s in REGIME]
    if expired:
        return _(
            "The programme is on hold: the export licence of the %(sides)s has expired. No "
            "exchange is accepted until it is renewed.",
            sides=", ".join(_side(s) for s in expired),
        )
    missing = [m for m in details.get("missing_screenings") or [] if isinstance(m, dict)]
    if missing:
        reasons = "; ".join(
            _(
                "%(side)s: %(reason)s",
                side=_side(str(m.get("jurisdiction"))),
                reason=_(REASONS.get(str(m.get("reason")), REASONS["other"])),
            )
            for m in missing
        )
        if person:
            return _(
                "The exchange's person waits for the host side's export-control screening. "
                "%(reasons)s.",
                reasons=reasons,
            )
        return _("This waits for export-control screening. %(reasons)s.", reasons=reasons)
    return None


def _side(side: str) -> str:
    return _("%(side)s side (%(regime)s)", side=word(side), regime=REGIME.get(side, ""))
