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


def event(event_type: str, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    return build_event(
        event_type, data, producer="programmes", correlation_id=uuid.uuid4().hex, **kwargs
    )
