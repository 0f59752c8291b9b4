"""Valid event envelopes for the notifications tests (built with the contract's build_event)."""

from __future__ import annotations

import random
import uuid
from typing import Any

from setu_contract.events import build_event


def _id() -> str:
    return str(uuid.uuid4())


def organisation_data(country: str = "JP", **overrides: Any) -> dict[str, Any]:
    data = {
        "id": _id(),
        "name": f"Org {uuid.uuid4().hex[:6]}",
        "country": country,
        "kind": "university",
        "contact_email": f"contact-{uuid.uuid4().hex[:8]}@{country.lower()}.example",
        "preferred_language": "ja" if country == "JP" else "en",
        "version": 1,
    }
    return {**data, **overrides}


def programme_data(partners: list[tuple[str, str]] | None = None, **overrides: Any) -> dict:
    partners = partners or [(_id(), "lead"), (_id(), "lead")]
    data = {
        "id": _id(),
        "reference": f"JIP-2026-{random.randint(0, 9999):04d}",
        "title": "Chiplet packaging for edge AI accelerators",
        "focus_area": "semiconductor_packaging",
        "partners": [{"organisation_id": o, "role": r} for o, r in partners],
        "start_date": "2027-04-01",
        "end_date": "2029-03-31",
        "budget": [],
        "exchange_slots": 4,
        "status": "submitted",
        "approvals": [],
        "version": 2,
        "created_at": "2026-11-20T09:00:00+00:00",
        "updated_at": "2026-11-24T09:00:00+00:00",
    }
    return {**data, **overrides}


def programme_status_changed(
    to: str = "submitted", source: str = "draft", action: str = "submit", **overrides: Any
) -> dict[str, Any]:
    data = programme_data(status=to, **overrides)
    data.update(
        {
            "from": source,
            "to": to,
            "action": action,
            "comment": None,
            "actor_organisation_id": data["partners"][0]["organisation_id"],
        }
    )
    return event("programme.status_changed", data)


def participation_answered(
    creator: str, organisation: str, participation: str = "declined", role: str = "lead"
) -> dict[str, Any]:
    """participation.confirmed or .declined: ``organisation`` answers to being named by
    ``creator``."""
    data = programme_data([(creator, "lead"), (organisation, role)], status="draft")
    for partner in data["partners"]:
        partner["name"] = f"Org {partner['organisation_id'][:6]}"
        partner["participation"] = "confirmed"
    data["partners"][1]["participation"] = participation
    data.update(
        {
            "created_by_organisation_id": creator,
            "organisation_id": organisation,
            "participation": participation,
            "actor_organisation_id": organisation,
        }
    )
    return event(f"participation.{participation}", data)


def event(event_type: str, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    return build_event(
        event_type, data, producer="programmes", correlation_id=uuid.uuid4().hex, **kwargs
    )


def application_data(home: str, host: str, **overrides: Any) -> dict[str, Any]:
    data = {
        "id": _id(),
        "reference": f"TEX-2026-{random.randint(0, 99999):05d}",
        "programme_id": _id(),
        "applicant": {
            "full_name": "Aarav Sharma",
            "email": f"applicant-{uuid.uuid4().hex[:8]}@mail.example",
            "nationality": "IN",
            "preferred_language": "hi",
        },
        "career_stage": "phd",
        "home_organisation_id": home,
        "host_organisation_id": host,
        "direction": "IN_TO_JP",
        "start_date": "2027-04-01",
        "end_date": "2027-09-30",
        "status": "submitted",
        "version": 2,
        "created_at": "2026-11-20T09:00:00+00:00",
        "updated_at": "2026-11-24T09:00:00+00:00",
    }
    return {**data, **overrides}


def application_status_changed(
    home: str, host: str, to: str, source: str, action: str, **overrides: Any
) -> dict[str, Any]:
    data = application_data(home, host, status=to, **overrides)
    data.update(
        {"from": source, "to": to, "action": action, "comment": None, "actor_organisation_id": home}
    )
    return event("application.status_changed", data)


def report_generated(recipients: list[str]) -> dict[str, Any]:
    report_id = _id()
    data = {
        "report_id": report_id,
        "type": "exchange_flows",
        "format": "pdf",
        "period": {"start": "2026-10-01", "end": "2026-10-31"},
        "download_path": f"/v1/reports/{report_id}/download",
        "recipients": recipients,
    }
    return build_event(
        "report.generated", data, producer="reports", correlation_id=uuid.uuid4().hex
    )


def review_event(event_type: str, language: str = "ja", **overrides: Any) -> dict[str, Any]:
    """A review.* or conflict.declared event naming its reviewer."""
    data = {
        "id": _id(),
        "programme_id": _id(),
        "programme_reference": f"JIP-2027-{random.randint(1, 9999):04d}",
        "programme_title": "Chiplets & <packaging>",
        "call_id": _id(),
        "call_title": "Semiconductor packaging 2027",
        "status": "declaration_due",
        "due_at": "2027-05-14T09:00:00+00:00",
        "reviewer": {
            "id": _id(),
            "name": "Dr Meera Iyer",
            "email": f"reviewer-{uuid.uuid4().hex[:6]}@panel.example",
            "language": language,
            "time_zone": "Asia/Kolkata",
        },
        "version": 1,
        **overrides,
    }
    return event(event_type, data)


def call_closing_reminder(drafts: list[tuple[str, list[str]]]) -> dict[str, Any]:
    """drafts: (reference, organisation ids) of each draft answering the call."""
    data = {
        "id": _id(),
        "title": "Semiconductor packaging 2027",
        "focus_areas": ["semiconductor_packaging"],
        "opens_at": "2027-04-01T09:00:00+09:00",
        "closes_at": "2027-06-30T17:00:00+09:00",
        "timezone": "Asia/Tokyo",
        "budget_envelope": {"JPY": "80000000", "INR": "1000"},
        "status": "open",
        "version": 2,
        "kind": "7d",
        "drafts": [
            {"programme_id": _id(), "reference": ref, "title": "t", "organisation_ids": ids}
            for ref, ids in drafts
        ],
    }
    return event("call.closing_reminder", data)


def mobility_reminder(home: str, host: str, items: list[str], **overrides: Any) -> dict[str, Any]:
    """mobility.reminder: ``home``'s exchange (India to Japan) with ``items`` not applied for."""
    data = {
        "id": _id(),
        "reference": f"TEX-2027-{random.randint(0, 99999):05d}",
        "programme_id": _id(),
        "home_organisation_id": home,
        "host_organisation_id": host,
        "direction": "IN_TO_JP",
        "start_date": "2027-04-01",
        "end_date": "2027-09-28",
        "stage": "awaiting_documents",
        "items": items,
    }
    return event("mobility.reminder", {**data, **overrides})


def screening_event(event_type: str, **overrides: Any) -> dict[str, Any]:
    """A screening.* event: the IN side's screening of a programme, with a DGFT licence."""
    data = {
        "id": _id(),
        "programme_id": _id(),
        "programme_reference": "JIP-2027-0007",
        "programme_title": "Chiplet packaging for edge AI accelerators",
        "application_id": None,
        "application_reference": None,
        "subject": "programme",
        "jurisdiction": "IN",
        "regime": "SCOMET",
        "classification": "8A",
        "basis": "list",
        "outcome": "licence_required",
        "licence": {"number": "DGFT-2027-118", "authority": "DGFT", "valid_until": "2027-09-30"},
        "notes": None,
        "recorded_by_organisation_id": _id(),
        "recorded_by": None,
        "recorded_at": "2027-05-01T09:00:00+00:00",
        "current": True,
        "superseded_at": None,
        "superseded_by_id": None,
        "version": 1,
    }
    if event_type == "screening.recorded":
        data["approval_awaited_from"] = ["JP"]
    else:
        expired = event_type == "screening.licence_expired"
        data |= {
            "kind": "expired" if expired else "30d",
            "expires_on": "2027-10-01",
            "holds": ["export_licence_expired"] if expired else [],
        }
    return event(event_type, {**data, **overrides})
