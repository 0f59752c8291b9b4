"""`reports rebuild`: replaying the event log gives the read model the live events gave."""

from __future__ import annotations

import json
import random

from click.testing import CliRunner
from sqlalchemy import select

from reports.cli import cli
from reports.services import read_model
from reports.store.db import transaction
from reports.store.models import Application, BudgetLine, Organisation, Programme
from setu_contract.events import EventType
from tests.integration.reports import factories as f


def _log() -> list[dict]:
    jp, india = f.organisation("JP"), f.organisation("IN")
    events = [f.event(EventType.ORGANISATION_REGISTERED, o) for o in (jp, india)]
    for n in range(5):
        snapshot = f.programme(jp, india, jpy=str(1000 * (n + 1)))
        events.append(f.event(EventType.PROGRAMME_CREATED, snapshot))
        for to in ("submitted", "under_review", "approved")[: n % 4]:
            snapshot = f.status_changed(snapshot, to, to, jp["id"])
            events.append(f.event(EventType.PROGRAMME_STATUS_CHANGED, snapshot))
    app = f.application(snapshot, jp, india, direction="JP_TO_IN", career_stage="phd", days=90)
    events.append(f.event(EventType.APPLICATION_CREATED, app))
    events.append(
        f.event(
            EventType.APPLICATION_STATUS_CHANGED,
            f.status_changed(app, "submitted", "submit", jp["id"]),
        )
    )
    return events


def _state(service) -> dict:
    with service.sessions() as session:
        return {
            "organisations": sorted(
                session.execute(select(Organisation.id, Organisation.version)).all()
            ),
            "programmes": sorted(
                session.execute(
                    select(Programme.id, Programme.status, Programme.version, Programme.approved_at)
                ).all()
            ),
            "budget": sorted(
                session.execute(
                    select(BudgetLine.programme_id, BudgetLine.currency, BudgetLine.amount_minor)
                ).all()
            ),
            "applications": sorted(
                session.execute(
                    select(Application.id, Application.status, Application.submitted_at)
                ).all()
            ),
        }


def test_rebuild_from_a_json_lines_log_matches_live_delivery(
    reports_service, tmp_path, monkeypatch
):
    log = _log()
    # Live: at least once and out of order (every event twice, shuffled).
    delivered = log + log
    random.Random(7).shuffle(delivered)
    with transaction(reports_service.sessions) as session:
        for envelope in delivered:
            read_model.apply_event(session, envelope)
    live = _state(reports_service)
    assert len(live["programmes"]) == 5 and len(live["applications"]) == 1

    # A stray row that no event explains disappears in the rebuild.
    with transaction(reports_service.sessions) as session:
        session.add(Organisation(id="stray", name="x", country="JP", kind="university", version=1))
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in log) + "\n", encoding="utf-8")
    for name, value in reports_service.env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(cli, ["rebuild", str(path)])
    assert result.exit_code == 0, result.output
    assert "programmes=5" in result.output and "applications=1" in result.output
    assert _state(reports_service) == live


def test_rebuild_refuses_an_invalid_log_and_keeps_the_read_model(
    reports_service, tmp_path, monkeypatch
):
    with transaction(reports_service.sessions) as session:
        for envelope in _log():
            read_model.apply_event(session, envelope)
    before = _state(reports_service)
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps(_log()[0]) + "\n{not json\n", encoding="utf-8")
    for name, value in reports_service.env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(cli, ["rebuild", str(path)])
    assert result.exit_code != 0 and "not rebuilt" in result.output
    assert _state(reports_service) == before
