"""The day the licence rules are read on, and what every caller sees of a programme's export
control (kept apart from services.screenings so that the programme's snapshot, which every
event and answer carries, can show it without importing the event writer)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from programmes.domain import screening as rules


def today() -> date:
    """The day (UTC) the licence rules are read on; tests replace it to move the clock."""
    return datetime.now(UTC).date()


def programme_fields(programme: Any) -> dict[str, Any]:
    """What every caller sees of a programme's export control (a Programme or a row of its
    table): its declared technology transfer, whether its screening is not_required, pending
    or complete, and its holds."""
    needed = rules.needs_screening(programme.focus_area, programme.technology_transfer)
    return {
        "technology_transfer": programme.technology_transfer,
        "screening": rules.programme_screening(needed, programme.screened_sides),
        "holds": rules.held(programme.licence_expires_on, today()) if needed else [],
    }
