"""Two real `celery beat` processes (setu.beat) tick the schedules: each due time fires once."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from reports.store.models import ReportJob, ReportSchedule, ScheduleRun
from setu_contract.http import Principal
from tests.support.infra import wait_until
from tests.support.processes import VENV_BIN, Process

SECRETARIAT = Principal("org-s", "secretariat", "key-1", "JP").headers()
TICK = 2  # seconds between ticks of each beat (30 by default): many ticks in each minute


def _beat(name: str, service, tmp_path) -> Process:
    data_dir = tmp_path / name
    data_dir.mkdir()
    env = {**service.env, "SETU_DATA_DIR": str(data_dir), "SCHEDULE_TICK_SECONDS": str(TICK)}
    process = Process(
        name,
        [str(VENV_BIN / "celery"), "--app", "setu.beat", "beat", "--loglevel", "INFO"],
        env,
        tmp_path,
    )
    process.wait_for_output("beat: Starting...", timeout=60)
    return process


def test_two_beats_fire_each_due_time_once(
    reports_service, reports_worker, reports_client, tmp_path
):
    for item in reports_client.get("/v1/report-schedules", headers=SECRETARIAT).get_json()["items"]:
        reports_client.patch(
            f"/v1/report-schedules/{item['id']}", json={"enabled": False}, headers=SECRETARIAT
        )
    for zone in ("Asia/Tokyo", "Asia/Kolkata"):
        created = reports_client.post(
            "/v1/report-schedules",
            headers=SECRETARIAT,
            json={
                "type": "programme_portfolio",
                "format": "csv",
                "cron": "* * * * *",
                "timezone": zone,
            },
        )
        assert created.status_code == 201
    # Made two minutes ago: a due time has passed already, and the beats' first ticks race
    # for it (instead of the test waiting for the next minute).
    with reports_service.sessions() as session, session.begin():
        session.execute(
            update(ReportSchedule)
            .where(ReportSchedule.enabled.is_(True))
            .values(created_at=datetime.now(UTC) - timedelta(minutes=2), next_due_at=None)
        )
    beats = [_beat(name, reports_service, tmp_path) for name in ("beat-a", "beat-b")]
    try:

        def runs() -> list:
            with reports_service.sessions() as session:
                return list(session.execute(select(ScheduleRun.schedule_id, ScheduleRun.due_at)))

        wait_until(
            lambda: len(runs()) >= 2,
            timeout=60,
            interval=0.5,
            message="both schedules fired by the beats",
        )
        first_ticks = reports_worker.output().count("schedule tick at")
        # Let both beats tick again at least once more.
        wait_until(
            lambda: reports_worker.output().count("schedule tick at") >= first_ticks + 2,
            timeout=30,
            interval=0.5,
            message="both beats ticking again",
        )
    finally:
        for beat in beats:
            beat.stop()

    fired = runs()
    assert max(Counter(fired).values()) == 1
    with reports_service.sessions() as session:
        made = Counter(session.execute(select(ReportJob.schedule_id, ReportJob.period_start)))
    assert sum(made.values()) == len(fired)
    assert all(
        beat.output().count("Sending due task reports-tick-schedules") >= 1 for beat in beats
    )
