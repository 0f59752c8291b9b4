"""Races in one process, on SQLite and PostgreSQL: `accept`s never exceed the slots; one
Idempotency-Key creates once (tests/e2e/test_races.py runs them through `setu up`)."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from programmes.store.models import Application, Programme
from tests.integration.programmes.conftest import Caller, Partners, programme_body
from tests.integration.programmes.test_programmes_applications import (
    approved_programme,
    endorsed,
)

SLOTS = 3
RACERS = 10


def test_concurrent_accepts_fill_the_slots_exactly(
    app, partners: Partners, secretariat: Caller, secretariat_in: Caller, engine
):
    programme = approved_programme(partners, secretariat, secretariat_in, slots=SLOTS)
    paths = [endorsed(partners, programme) for _ in range(RACERS)]
    barrier = threading.Barrier(RACERS)
    statuses: list[int] = []
    lock = threading.Lock()

    def accept(path: str) -> None:
        client = app.test_client()  # one client (and connection) per racer
        barrier.wait(timeout=10)
        answer = client.post(
            f"{path}/transitions", json={"action": "accept"}, headers=secretariat.headers()
        )
        with lock:
            statuses.append(answer.status_code)

    threads = [threading.Thread(target=accept, args=(path,)) for path in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [200] * SLOTS + [409] * (RACERS - SLOTS)
    with engine.connect() as conn:
        accepted = conn.execute(
            select(func.count())
            .select_from(Application)
            .where(Application.programme_id == programme["id"], Application.status == "accepted")
        ).scalar_one()
    assert accepted == SLOTS


def test_racing_requests_with_one_idempotency_key_create_one_programme(
    app, partners: Partners, engine
):
    body = programme_body(partners)
    barrier = threading.Barrier(RACERS)
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()

    def create() -> None:
        client = app.test_client()
        barrier.wait(timeout=10)
        answer = client.post(
            "/v1/programmes",
            json=body,
            headers=partners.jp_caller.headers({"Idempotency-Key": "race-1"}),
        )
        with lock:
            answers.append((answer.status_code, (answer.json or {}).get("id", "")))

    threads = [threading.Thread(target=create) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert {status for status, _ in answers} == {201}
    assert len({pid for _, pid in answers}) == 1
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Programme)).scalar_one() == 1
