"""Events as the programmes service would publish them, for feeding the reports service."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime
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
