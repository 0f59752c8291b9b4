"""Valid event envelopes in bulk, built with the contract's build_event."""

from __future__ import annotations

import uuid
from typing import Any

from setu_contract.events import build_event


def programme_data(number: int, status: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "reference": f"JIP-2026-{number:06d}",
        "title": f"Chiplet packaging for edge AI accelerators #{number}",
        "focus_area": "semiconductor_packaging",
        "partners": [
            {"organisation_id": str(uuid.uuid4()), "role": "lead", "country": "JP"},
            {"organisation_id": str(uuid.uuid4()), "role": "lead", "country": "IN"},
        ],
        "start_date": "2027-04-01",
        "end_date": "2029-03-31",
        "budget": [],
        "exchange_slots": 4,
        "status": status,
        "approvals": [],
        "version": 1 if status == "draft" else 2,
        "created_at": "2026-11-20T09:00:00+00:00",
        "updated_at": "2026-11-24T09:00:00+00:00",
    }


def programme_submitted(number: int) -> dict[str, Any]:
    """programme.status_changed to submitted: one email to the secretariat."""
    data = programme_data(number, "submitted")
    data.update(
        {
            "from": "draft",
            "to": "submitted",
            "action": "submit",
            "comment": None,
            "actor_organisation_id": data["partners"][0]["organisation_id"],
        }
    )
    return _event("programme.status_changed", data)


def programme_created(number: int) -> dict[str, Any]:
    """programme.created: applied by every consumer, no email."""
    return _event("programme.created", programme_data(number, "draft"))


def _event(event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    return build_event(event_type, data, producer="programmes", correlation_id=uuid.uuid4().hex)
