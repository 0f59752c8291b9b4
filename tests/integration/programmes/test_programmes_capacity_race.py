"""Many `accept`s racing on PostgreSQL never exceed the programme's exchange slots."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from programmes.store.models import Application
from tests.integration.programmes.conftest import Caller, Partners
from tests.integration.programmes.test_programmes_applications import (
    approved_programme,
    endorsed,
)

SLOTS = 3
RACERS = 10


@pytest.fixture
def database_url(postgres_url: str) -> Iterator[str]:
    """PostgreSQL only: this is the database whose row locks the rule relies on."""
    yield postgres_url


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
