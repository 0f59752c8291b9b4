"""Events as the programmes service would publish them, for feeding the reports service."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from setu_contract.events import EventType, build_event

FOCUS = ("semiconductor_design", "ai_research", "ai_healthcare")


def organisation(country: str, name: str | None = None, version: int = 1) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "name": name or f"Org {country} {uuid.uuid4().hex[:6]}",
        "country": country,
        "kind": "university",
        "contact_email": "office@example.org",
        "preferred_language": "en",
        "version": version,
    }


def programme(
    jp_lead: dict,
    in_lead: dict,
    *,
    focus_area: str = "ai_research",
    status: str = "draft",
    version: int = 1,
    jpy: str = "1000000",
    inr: str = "250000.50",
    created_at: datetime | None = None,
) -> dict[str, Any]:
    moment = (created_at or datetime.now(UTC)).isoformat()
    return {
        "id": str(uuid.uuid4()),
        "reference": f"JIP-2026-{random.randint(0, 9999):04d}",
        "title": "Joint research on chiplets",
        "focus_area": focus_area,
        "partners": [
            {"organisation_id": jp_lead["id"], "role": "lead", "country": "JP"},
            {"organisation_id": in_lead["id"], "role": "lead", "country": "IN"},
        ],
        "start_date": "2027-01-01",
        "end_date": "2028-12-31",
        "budget": [
            {"organisation_id": jp_lead["id"], "currency": "JPY", "amount": jpy},
            {"organisation_id": in_lead["id"], "currency": "INR", "amount": inr},
        ],
        "exchange_slots": 5,
        "status": status,
        "approvals": [],
        "version": version,
        "created_at": moment,
        "updated_at": moment,
    }


def revised(snapshot: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The next version of a snapshot with some fields changed."""
    return {
        **snapshot,
        **changes,
        "version": snapshot["version"] + 1,
        "updated_at": datetime.now(UTC).isoformat(),
    }


def status_changed(snapshot: dict, to: str, action: str, actor: str) -> dict[str, Any]:
    data = revised(snapshot, status=to)
    data.update(
        {
            "from": snapshot["status"],
            "to": to,
            "action": action,
            "comment": None,
            "actor_organisation_id": actor,
        }
    )
    return data


def event(event_type: EventType, data: dict[str, Any]) -> dict[str, Any]:
    return build_event(
        event_type, data, producer="programmes", correlation_id="test-" + uuid.uuid4().hex
    )


def application(
    programme_snapshot: dict,
    home: dict,
    host: dict,
    *,
    direction: str,
    career_stage: str,
    days: int,
    created_at: datetime | None = None,
) -> dict[str, Any]:
    moment = (created_at or datetime.now(UTC)).isoformat()
    return {
        "id": str(uuid.uuid4()),
        "reference": f"TEX-2026-{random.randint(0, 99999):05d}",
        "programme_id": programme_snapshot["id"],
        "applicant": {
            "full_name": "A. Researcher",
            "email": "a@example.org",
            "nationality": "JP",
            "preferred_language": "en",
        },
        "career_stage": career_stage,
        "home_organisation_id": home["id"],
        "host_organisation_id": host["id"],
        "direction": direction,
        "start_date": "2027-04-01",
        "end_date": (date(2027, 4, 1) + timedelta(days=days)).isoformat(),
        "status": "draft",
        "version": 1,
        "created_at": moment,
        "updated_at": moment,
    }


def moved(snapshot: dict, to: str, at: datetime, actor: str = "actor") -> dict[str, Any]:
    """A status change of an application or programme at a given time (the next version)."""
    data = status_changed(snapshot, to, to, actor)
    data["updated_at"] = at.isoformat()
    return data


def mobility_item_updated(
    app: dict, set_at: datetime, arrival: str | None, departure: str | None = None
) -> dict[str, Any]:
    """mobility.item_updated of ``app``'s checklist: its actual dates as they now stand."""
    return {
        "id": app["id"],
        "reference": app["reference"],
        "programme_id": app["programme_id"],
        "home_organisation_id": app["home_organisation_id"],
        "host_organisation_id": app["host_organisation_id"],
        "direction": app["direction"],
        "start_date": app["start_date"],
        "end_date": app["end_date"],
        "stage": "departed" if departure else "arrived",
        "item": "departure" if departure else "arrival",
        "status": "departed" if departure else "arrived",
        "previous_status": "pending",
        "date": departure or arrival,
        "item_version": 1,
        "set_at": set_at.isoformat(),
        "actual_arrival": arrival,
        "actual_departure": departure,
        "actor_organisation_id": app["host_organisation_id"],
    }


def screening(
    programme: dict[str, Any],
    side: str,
    outcome: str,
    recorded: datetime,
    valid_until: date | None = None,
    application_id: str | None = None,
    licence_number: str = "1",
    **overrides: Any,
) -> dict[str, Any]:
    """screening.recorded's data: ``side``'s current screening of ``programme`` (or of the
    person of ``application_id``), with a licence valid until ``valid_until`` if given."""
    authority = {"JP": "METI", "IN": "DGFT"}[side]
    licence = valid_until and {
        "number": f"{authority}-{licence_number}",
        "authority": authority,
        "valid_until": valid_until.isoformat(),
    }
    return {
        "id": str(uuid.uuid4()),
        "programme_id": programme["id"],
        "programme_reference": programme["reference"],
        "programme_title": programme["title"],
        "application_id": application_id,
        "jurisdiction": side,
        "regime": {"JP": "FEFTA", "IN": "SCOMET"}[side],
        "classification": "3E001",
        "basis": "list",
        "outcome": outcome,
        "licence": licence or None,
        "recorded_at": recorded.isoformat(),
        "current": True,
        "approval_awaited_from": [],
        "version": 1,
        **overrides,
    }
