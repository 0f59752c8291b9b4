"""Rebuild the read model from an event log: empty it, then apply every event in order.

It runs in one transaction, so readers see the old read model until the new one is whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from reports.services.read_model import APPLIED, apply_event, read_model_counts
from reports.store.models import (
    Application,
    BudgetLine,
    Call,
    Organisation,
    ProcessedEvent,
    Programme,
    ProgrammePartner,
    Screening,
    SubmittedReview,
)
from setu_contract.events import InvalidEvent, parse_event


def envelopes_from_lines(stream: IO[str]) -> Iterator[dict[str, Any]]:
    """JSON lines, one envelope each; blank lines are skipped."""
    for number, line in enumerate(stream, start=1):
        if line.strip():
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                raise InvalidEvent({"line": [f"{number}: not JSON ({exc.msg})"]}) from exc


def rebuild(session: Session, envelopes: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Replace the read model by the one these events build; return what it now holds."""
    for model in (
        ProgrammePartner,
        BudgetLine,
        Programme,
        Application,
        Organisation,
        Call,
        SubmittedReview,
        Screening,
        ProcessedEvent,
    ):
        session.execute(delete(model))
    applied = skipped = 0
    for envelope in envelopes:
        event = parse_event(envelope)
        if event["type"] == "report.generated":
            continue  # our own event: nothing in the read model
        if apply_event(session, event) == APPLIED:
            applied += 1
        else:
            skipped += 1
    return {"applied": applied, "skipped": skipped, **read_model_counts(session)}
