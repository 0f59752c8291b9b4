"""Report schedules: CRUD with validation, defaults present, each due time fired once."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

from sqlalchemy import select, update

from reports.config import Config
from reports.services import schedules
from reports.store.models import ReportJob, ReportSchedule, ScheduleRun
from reports.worker import TICK_SCHEDULES
from setu_contract.http import Principal
from tests.support.infra import wait_until

SECRETARIAT = Principal("org-s", "secretariat", "key-1", "JP").headers()
AUDITOR = Principal("org-a", "auditor", "key-2").headers()
PARTNER = Principal("org-p", "partner", "key-3").headers()
# Reports are emailed to the secretariat (Config's default address) or organisations' contacts.
SECRETARIAT_EMAIL = Config.secretariat_email
TOKYO = {
    "type": "programme_portfolio",
    "format": "csv",
    "cron": "0 9 * * 1",
    "timezone": "Asia/Tokyo",
    "recipients": [SECRETARIAT_EMAIL],
}
KOLKATA = {
    "type": "exchange_flows",
    "format": "json",
    "cron": "0 9 1 * *",
    "timezone": "Asia/Kolkata",
    "recipients": [],
}


def test_the_two_defaults_exist_from_the_start(reports_client):
    listing = reports_client.get("/v1/report-schedules", headers=AUDITOR).get_json()
    assert listing["total"] == 2 and listing["page"] == 1 and listing["page_size"] == 20
    found = {(s["type"], s["cron"], s["timezone"], s["enabled"]) for s in listing["items"]}
    assert found == {
        ("programme_portfolio", "0 9 * * 1", "Asia/Tokyo", True),
        ("exchange_flows", "0 9 1 * *", "Asia/Kolkata", True),
    }


def test_schedule_crud_with_validation_and_etags(reports_client):
    bad = reports_client.post(
        "/v1/report-schedules",
        headers=SECRETARIAT,
        json={**TOKYO, "cron": "61 25 * * *", "timezone": "Mars/Olympus"},
    )
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]) == {"cron", "timezone"}
    assert (
        reports_client.post("/v1/report-schedules", json=TOKYO, headers=AUDITOR).status_code == 403
    )
    assert reports_client.get("/v1/report-schedules", headers=PARTNER).status_code == 403

    created = reports_client.post("/v1/report-schedules", json=TOKYO, headers=SECRETARIAT)
    assert created.status_code == 201, created.get_json()
    schedule, tag = created.get_json(), created.headers["ETag"]
    assert schedule["next_due_at"] and schedule["version"] == 1
    url = f"/v1/report-schedules/{schedule['id']}"
    assert reports_client.get(url, headers=AUDITOR).headers["ETag"] == tag

    changed = reports_client.patch(
        url, json={"enabled": False}, headers={**SECRETARIAT, "If-Match": tag}
    )
    assert changed.status_code == 200 and changed.get_json()["enabled"] is False
    stale = reports_client.patch(
        url, json={"format": "pdf"}, headers={**SECRETARIAT, "If-Match": tag}
    )
    assert stale.status_code == 412 and stale.get_json()["code"] == 412
    invalid = reports_client.patch(url, json={"timezone": "Mars/Olympus"}, headers=SECRETARIAT)
    assert invalid.status_code == 422 and "timezone" in invalid.get_json()["errors"]

    assert reports_client.delete(url, headers={**SECRETARIAT, "If-Match": tag}).status_code == 412
    assert reports_client.delete(url, headers=SECRETARIAT).status_code == 204
    assert reports_client.get(url, headers=SECRETARIAT).status_code == 404


def _prepare_clock_test(service, client) -> dict[str, str]:
    """Defaults off; a Tokyo and a Kolkata schedule created as if on 2030-01-02 00:00 UTC."""
    for item in client.get("/v1/report-schedules", headers=SECRETARIAT).get_json()["items"]:
        client.patch(
            f"/v1/report-schedules/{item['id']}", json={"enabled": False}, headers=SECRETARIAT
        )
    ids = {}
    for name, body in (("tokyo", TOKYO), ("kolkata", KOLKATA)):
        ids[name] = client.post("/v1/report-schedules", json=body, headers=SECRETARIAT).get_json()[
            "id"
        ]
    with service.sessions() as session, session.begin():
        session.execute(
            update(ReportSchedule)
            .where(ReportSchedule.id.in_(ids.values()))
            .values(created_at=datetime(2030, 1, 2, tzinfo=UTC), next_due_at=None)
        )
    return ids


def _runs(service) -> list[tuple[str, datetime]]:
    with service.sessions() as session:
        return [
            tuple(r)
            for r in session.execute(
                select(ScheduleRun.schedule_id, ScheduleRun.due_at).order_by(ScheduleRun.due_at)
            )
        ]


def _tick_twice_at_once(service, worker, moment: datetime) -> None:
    for _ in range(2):
        service.send(TICK_SCHEDULES, moment.isoformat())
    wait_until(
        lambda: worker.output().count(f"schedule tick at {moment.isoformat()}") == 2,
        timeout=30,
        message=f"two ticks at {moment}",
    )


def test_due_times_fire_once_with_two_concurrent_ticks(
    reports_service, reports_worker, reports_client
):
    ids = _prepare_clock_test(reports_service, reports_client)
    tokyo, kolkata = ids["tokyo"], ids["kolkata"]
    monday_9_tokyo = datetime(2030, 1, 7, 0, 0, tzinfo=UTC)

    _tick_twice_at_once(reports_service, reports_worker, datetime(2030, 1, 6, 23, 59, tzinfo=UTC))
    assert _runs(reports_service) == []
    _tick_twice_at_once(reports_service, reports_worker, datetime(2030, 1, 7, 0, 0, 20, tzinfo=UTC))
    _tick_twice_at_once(reports_service, reports_worker, datetime(2030, 1, 7, 0, 1, tzinfo=UTC))
    assert _runs(reports_service) == [(tokyo, monday_9_tokyo)]

    # The ticks stop ("beat is down") for three Mondays; on 1 February at 09:00 in Kolkata
    # they come back: Kolkata fires once, Tokyo fires its latest missed Monday once.
    _tick_twice_at_once(reports_service, reports_worker, datetime(2030, 2, 1, 3, 30, 5, tzinfo=UTC))
    assert _runs(reports_service) == [
        (tokyo, monday_9_tokyo),
        (tokyo, datetime(2030, 1, 28, 0, 0, tzinfo=UTC)),
        (kolkata, datetime(2030, 2, 1, 3, 30, tzinfo=UTC)),
    ]

    with reports_service.sessions() as session:
        made = session.execute(
            select(
                ReportJob.schedule_id,
                ReportJob.period_start,
                ReportJob.period_end,
                ReportJob.recipients,
            ).order_by(ReportJob.period_start)
        ).all()
    assert [tuple(m) for m in made] == [
        (tokyo, date(2029, 12, 31), date(2030, 1, 6), [SECRETARIAT_EMAIL]),
        (kolkata, date(2030, 1, 1), date(2030, 1, 31), []),
        (tokyo, date(2030, 1, 21), date(2030, 1, 27), [SECRETARIAT_EMAIL]),
    ]

    def all_succeeded() -> bool:
        with reports_service.sessions() as session:
            return set(session.execute(select(ReportJob.status)).scalars()) == {"succeeded"}

    wait_until(all_succeeded, timeout=60, message="the scheduled reports produced")
    runs = reports_client.get(f"/v1/report-schedules/{tokyo}/runs", headers=AUDITOR).get_json()
    assert runs["total"] == 2 and all(r["report_id"] for r in runs["items"])


def test_concurrent_ticks_in_threads_fire_once(reports_service, reports_client):
    ids = _prepare_clock_test(reports_service, reports_client)
    moment = datetime(2030, 1, 7, 0, 0, 30, tzinfo=UTC)
    sent: list[str] = []
    barrier = threading.Barrier(4)

    def tick() -> None:
        barrier.wait()
        schedules.tick(reports_service.sessions, moment, lambda rid, _cid: sent.append(rid))

    threads = [threading.Thread(target=tick) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert _runs(reports_service) == [(ids["tokyo"], datetime(2030, 1, 7, tzinfo=UTC))]
    assert len(sent) == 1
