"""Requests that race through the real topology (`setu up`: gunicorn workers with threads,
behind the gateway) keep every rule, on SQLite as on PostgreSQL: exchange slots never
overfill, each secretariat side approves once, one Idempotency-Key creates one thing, and
no two creates share a reference.

One system is started per database; each test runs its race in several rounds, each round's
requests released together from threads.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any

import pytest
import requests

from tests.e2e.topology import RunningSetu, confirm_participation, running_setu
from tests.support.infra import postgres_database
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.e2e

SERVICES = ("PROGRAMMES", "NOTIFICATIONS", "REPORTS")
ROUNDS = 3
RACERS = 8
SLOTS = 2
START = date.today() + timedelta(days=30)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def system(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, redis_url: str
) -> Iterator[RunningSetu]:
    """`setu up` with two processes of each API (four threads each), on its SQLite defaults
    or on fresh PostgreSQL databases."""
    with ExitStack() as stack:
        urls = {}
        if request.param == "postgresql":
            urls = {
                f"{service}_DATABASE_URL": stack.enter_context(postgres_database())
                for service in SERVICES
            }
        smtp = SmtpServer().start()
        stack.callback(smtp.stop)
        data = tmp_path_factory.mktemp(f"races-{request.param}")
        yield stack.enter_context(
            running_setu(data, redis_url, smtp.port, WEB_CONCURRENCY="2", **urls)
        )


@dataclass(frozen=True)
class Cast:
    """Both secretariat sides, and a JP and an IN partner organisation with a key each."""

    secretariat_jp: str
    secretariat_in: str
    jp: str
    india: str
    jp_key: str
    in_key: str


@pytest.fixture(scope="module")
def cast(system: RunningSetu) -> Cast:
    secretariat_jp = system.bootstrap_key("JP")
    secretariat_in = system.bootstrap_key("IN")
    ids, keys = [], []
    for country in ("JP", "IN"):
        organisation = expect(
            201,
            system.api(
                "POST",
                "/v1/organisations",
                secretariat_jp,
                json={
                    "name": f"{country} lab {uuid.uuid4().hex[:6]}",
                    "country": country,
                    "kind": "university",
                    "contact_email": f"lab@{country.lower()}.example.org",
                },
            ),
        )
        key = expect(
            201,
            system.api(
                "POST",
                f"/v1/organisations/{organisation['id']}/api-keys",
                secretariat_jp,
                json={"name": "racer", "role": "partner"},
            ),
        )
        ids.append(organisation["id"])
        keys.append(key["key"])
    return Cast(secretariat_jp, secretariat_in, ids[0], ids[1], keys[0], keys[1])


def expect(status: int, answer: requests.Response) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    return answer.json()


def at_once(calls: list[Callable[[], requests.Response]]) -> list[requests.Response]:
    """Run every call in a thread of its own, all released together; their answers."""
    barrier = threading.Barrier(len(calls))
    answers: list[requests.Response | None] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait(timeout=30)
        answers[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(answer is not None for answer in answers), "a racer did not answer"
    return answers  # type: ignore[return-value]


def programme_body(cast: Cast, slots: int = SLOTS) -> dict[str, Any]:
    return {
        "title": f"Racing chiplet study {uuid.uuid4().hex[:8]}",
        "focus_area": "ai_research",  # no export-control screening holds it
        "partners": [
            {"organisation_id": cast.jp, "role": "lead"},
            {"organisation_id": cast.india, "role": "lead"},
        ],
        "start_date": "2027-04-01",
        "end_date": "2029-03-31",
        "budget": [{"organisation_id": cast.jp, "currency": "JPY", "amount": "1000000"}],
        "exchange_slots": slots,
    }


def move(system: RunningSetu, key: str, path: str, action: str) -> requests.Response:
    return system.api("POST", f"{path}/transitions", key, json={"action": action})


def submit(system: RunningSetu, cast: Cast, programme_id: str) -> None:
    """The IN partner confirms its part in the programme the JP partner created, which the JP
    partner then submits."""
    expect(200, confirm_participation(system, cast.in_key, programme_id))
    expect(200, move(system, cast.jp_key, f"/v1/programmes/{programme_id}", "submit"))


def under_review(system: RunningSetu, cast: Cast) -> str:
    """A new programme, submitted and under review: its path."""
    programme = expect(201, create_programme(system, cast, programme_body(cast)))
    submit(system, cast, programme["id"])
    path = f"/v1/programmes/{programme['id']}"
    expect(200, move(system, cast.secretariat_jp, path, "start_review"))
    return path


def approved(system: RunningSetu, cast: Cast) -> str:
    path = under_review(system, cast)
    expect(200, move(system, cast.secretariat_jp, path, "approve"))
    expect(200, move(system, cast.secretariat_in, path, "approve"))
    return path


def create_programme(
    system: RunningSetu, cast: Cast, body: dict[str, Any], idempotency_key: str | None = None
) -> requests.Response:
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
    return system.api("POST", "/v1/programmes", cast.jp_key, json=body, headers=headers)


def file_application(
    system: RunningSetu, cast: Cast, programme_id: str, idempotency_key: str | None = None
) -> requests.Response:
    body = application_body(cast, programme_id)
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
    return system.api("POST", "/v1/applications", cast.jp_key, json=body, headers=headers)


def application_body(cast: Cast, programme_id: str) -> dict[str, Any]:
    return {
        "programme_id": programme_id,
        "applicant": {
            "full_name": "Aiko Tanaka",
            "email": "aiko@example.jp",
            "nationality": "JP",
            "preferred_language": "ja",
        },
        "career_stage": "phd",
        "host_organisation_id": cast.india,
        "start_date": START.isoformat(),
        "end_date": (START + timedelta(days=180)).isoformat(),
        "statement": "I will study advanced packaging of chiplets at the host lab. " * 2,
    }


def events_of(system: RunningSetu, cast: Cast, aggregate_id: str) -> list[dict[str, Any]]:
    query = {"aggregate_id": aggregate_id, "page_size": 100}
    page = system.api("GET", "/v1/events", cast.secretariat_jp, params=query)
    return expect(200, page)["items"]


def test_concurrent_accepts_never_overfill_the_slots(system: RunningSetu, cast: Cast):
    for _ in range(ROUNDS):
        programme_id = approved(system, cast).rsplit("/", 1)[1]
        paths = []
        for _ in range(RACERS):
            filed = expect(201, file_application(system, cast, programme_id))
            path = f"/v1/applications/{filed['id']}"
            expect(200, move(system, cast.jp_key, path, "submit"))
            expect(200, move(system, cast.in_key, path, "endorse"))
            paths.append(path)
        answers = at_once([partial(move, system, cast.secretariat_jp, p, "accept") for p in paths])
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [200] * SLOTS + [409] * (RACERS - SLOTS), f"answered {statuses}"
        accepted = system.api(
            "GET",
            "/v1/applications",
            cast.secretariat_jp,
            params={"programme_id": programme_id, "status": "accepted"},
        )
        assert expect(200, accepted)["total"] == SLOTS


def test_one_side_approving_twice_at_once_approves_once(system: RunningSetu, cast: Cast):
    for _ in range(ROUNDS):
        path = under_review(system, cast)
        answers = at_once(
            [partial(move, system, cast.secretariat_jp, path, "approve") for _ in range(4)]
        )
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [200, 409, 409, 409], f"answered {statuses}"
        programme = expect(200, system.api("GET", path, cast.secretariat_jp))
        assert (programme["status"], programme["approvals"]) == ("under_review", ["JP"])
        types = [e["type"] for e in events_of(system, cast, programme["id"])]
        assert types.count("programme.updated") == 1  # the one approval


def test_both_sides_approving_at_once_approve_the_programme(system: RunningSetu, cast: Cast):
    for _ in range(ROUNDS):
        path = under_review(system, cast)
        answers = at_once(
            [
                partial(move, system, cast.secretariat_jp, path, "approve"),
                partial(move, system, cast.secretariat_in, path, "approve"),
            ]
        )
        assert [a.status_code for a in answers] == [200, 200]
        programme = expect(200, system.api("GET", path, cast.secretariat_jp))
        assert programme["status"] == "approved"
        assert sorted(programme["approvals"]) == ["IN", "JP"]
        events = events_of(system, cast, programme["id"])
        assert [e["type"] for e in events].count("programme.updated") == 1  # the first side
        moved = [e["data"]["to"] for e in events if e["type"] == "programme.status_changed"]
        assert moved.count("approved") == 1  # the second side


def test_one_idempotency_key_sent_at_once_creates_once(system: RunningSetu, cast: Cast):
    for _ in range(ROUNDS):
        body, key = programme_body(cast), f"race-{uuid.uuid4().hex}"
        answers = at_once(
            [partial(create_programme, system, cast, body, key) for _ in range(RACERS)]
        )
        assert {a.status_code for a in answers} == {201}
        [programme_id] = {a.json()["id"] for a in answers}
        found = system.api(
            "GET", "/v1/programmes", cast.secretariat_jp, params={"q": body["title"]}
        )
        assert expect(200, found)["total"] == 1
        types = [e["type"] for e in events_of(system, cast, programme_id)]
        assert types == ["programme.created"]


def test_one_idempotency_key_sent_at_once_files_one_application(system: RunningSetu, cast: Cast):
    # A create with a key is two writes (the application with its event, the stored answer)
    # in one transaction; without one it is a statement alone (in autocommit on PostgreSQL).
    programme_id = approved(system, cast).rsplit("/", 1)[1]
    for _ in range(ROUNDS):
        key = f"race-{uuid.uuid4().hex}"
        answers = at_once(
            [partial(file_application, system, cast, programme_id, key) for _ in range(RACERS)]
        )
        assert {a.status_code for a in answers} == {201}
        assert all(a.json() == answers[0].json() for a in answers)
        [application_id] = {a.json()["id"] for a in answers}
        types = [e["type"] for e in events_of(system, cast, application_id)]
        assert types == ["application.created"]


def test_concurrent_creates_never_share_a_reference(system: RunningSetu, cast: Cast):
    programme_id = approved(system, cast).rsplit("/", 1)[1]
    for _ in range(ROUNDS):
        programmes = at_once(
            [partial(create_programme, system, cast, programme_body(cast)) for _ in range(RACERS)]
        )
        applications = at_once(
            [partial(file_application, system, cast, programme_id) for _ in range(RACERS)]
        )
        for answers in (programmes, applications):
            references = [expect(201, a)["reference"] for a in answers]
            assert len(set(references)) == RACERS, references


def endorsed_from(system: RunningSetu, cast: Cast, programme_id: str, home: str) -> str:
    """An endorsed application sent by the ``home`` (JP or IN) partner: its path."""
    sender, host_key, host = (
        (cast.jp_key, cast.in_key, cast.india)
        if home == "JP"
        else (cast.in_key, cast.jp_key, cast.jp)
    )
    body = {**application_body(cast, programme_id), "host_organisation_id": host}
    filed = expect(201, system.api("POST", "/v1/applications", sender, json=body))
    path = f"/v1/applications/{filed['id']}"
    expect(200, move(system, sender, path, "submit"))
    expect(200, move(system, host_key, path, "endorse"))
    return path


def test_concurrent_accepts_never_overfill_a_direction(system: RunningSetu, cast: Cast):
    """exchange_slots_by_direction is kept under the same lock as the total (issue 33)."""
    split = {"JP_TO_IN": 1, "IN_TO_JP": 3}
    for _ in range(ROUNDS):
        body = {**programme_body(cast, slots=4), "exchange_slots_by_direction": split}
        programme = expect(201, create_programme(system, cast, body))
        submit(system, cast, programme["id"])
        path = f"/v1/programmes/{programme['id']}"
        for key, action in (
            (cast.secretariat_jp, "start_review"),
            (cast.secretariat_jp, "approve"),
            (cast.secretariat_in, "approve"),
        ):
            expect(200, move(system, key, path, action))
        paths = [endorsed_from(system, cast, programme["id"], h) for h in ["JP"] * 4 + ["IN"] * 4]
        answers = at_once([partial(move, system, cast.secretariat_jp, p, "accept") for p in paths])
        jp_to_in = sorted(a.status_code for a in answers[:4])
        in_to_jp = sorted(a.status_code for a in answers[4:])
        assert (jp_to_in, in_to_jp) == ([200, 409, 409, 409], [200, 200, 200, 409])
        for direction, slots in split.items():
            accepted = system.api(
                "GET",
                "/v1/applications",
                cast.secretariat_jp,
                params={
                    "programme_id": programme["id"],
                    "status": "accepted",
                    "direction": direction,
                },
            )
            assert expect(200, accepted)["total"] == slots
