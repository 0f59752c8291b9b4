"""Two snapshots of one aggregate applied at once (two workers): the newer one wins, and
neither fails on the other (issue 26).

The first snapshot's transaction writes the row and holds it uncommitted while the second
is applied in another thread, which must wait for it (PostgreSQL: the row; SQLite: the
write lock), then compare versions against what the first committed. Checking the version,
finding no row and inserting, as separate statements, let the second insert too and fail
on the key (PostgreSQL): the newer snapshot then waited for a retry to land, or became a
dead letter.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from reports.services.read_model import APPLIED, STALE, apply_event
from reports.store.db import transaction
from reports.store.models import BudgetLine, Programme, ProgrammePartner
from setu_contract.events import EventType
from tests.integration.reports import factories as f


def _apply_in_thread(service, envelope: dict[str, Any]) -> tuple[threading.Thread, dict]:
    outcome: dict[str, Any] = {}

    def apply() -> None:
        try:
            with transaction(service.sessions) as session:
                outcome["result"] = apply_event(session, envelope)
        except Exception as error:
            outcome["error"] = repr(error)

    thread = threading.Thread(target=apply, daemon=True)
    thread.start()
    return thread, outcome


def _race(service, first: dict[str, Any], second: dict[str, Any]) -> tuple[str, dict]:
    """Apply ``first`` and, while its transaction is open, ``second`` in another thread."""
    session = service.sessions()
    try:
        with session.begin():
            first_result = apply_event(session, first)
            thread, outcome = _apply_in_thread(service, second)
            thread.join(1.0)
            assert thread.is_alive(), f"the second did not wait for the first: {outcome}"
    finally:
        session.close()
    thread.join(30)
    assert not thread.is_alive()
    return first_result, outcome


def _stored(service, programme_id: str) -> tuple[int, str, int, int]:
    with service.sessions() as session:
        row = session.get(Programme, programme_id)

        def count(model):
            where = model.programme_id == programme_id
            return session.scalar(select(func.count()).select_from(model).where(where))

        return row.version, row.title, count(ProgrammePartner), count(BudgetLine)


@pytest.fixture
def snapshots() -> tuple[dict[str, Any], dict[str, Any]]:
    jp, india = f.organisation("JP"), f.organisation("IN")
    older = f.programme(jp, india)
    newer = f.revised(older, title="The newer title of the programme")
    return f.event(EventType.PROGRAMME_CREATED, older), f.event(EventType.PROGRAMME_UPDATED, newer)


def test_a_newer_snapshot_applied_while_the_older_inserts_the_row_wins(reports_service, snapshots):
    older, newer = snapshots
    first, second = _race(reports_service, older, newer)
    assert (first, second) == (APPLIED, {"result": APPLIED})
    programme_id = older["data"]["id"]
    assert _stored(reports_service, programme_id) == (2, "The newer title of the programme", 2, 2)


def test_an_older_snapshot_applied_while_the_newer_inserts_the_row_changes_nothing(
    reports_service, snapshots
):
    older, newer = snapshots
    first, second = _race(reports_service, newer, older)
    assert (first, second) == (APPLIED, {"result": STALE})
    programme_id = older["data"]["id"]
    assert _stored(reports_service, programme_id) == (2, "The newer title of the programme", 2, 2)
