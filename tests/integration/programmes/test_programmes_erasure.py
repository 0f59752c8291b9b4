"""An erased applicant is found nowhere in the programmes service: not in the application,
its history, the event log (secretariat and auditor), the stored answer to the POST that
filed it, nor anywhere in the database (SQLite's file and log, PostgreSQL's rows and pages)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from programmes import clock as call_clock
from programmes.services import erasure
from programmes.store.models import Application, reclaims_due
from setu_contract import reclaims
from tests.integration.programmes.conftest import Caller, Partners, new_key
from tests.integration.programmes.test_programmes_applications import (
    application_body,
    approved_programme,
    move,
)
from tests.support.personal_data import (
    Person,
    distinctive_person,
    files_holding,
    found_in_text,
    postgres_rows_holding,
    postgres_tuples_holding,
    sqlite_files,
)


@pytest.fixture
def programme(partners: Partners, secretariat: Caller, secretariat_in: Caller) -> dict:
    return approved_programme(partners, secretariat, secretariat_in, slots=2)


@pytest.fixture
def auditor(secretariat: Caller) -> Caller:
    """An auditor of the JP side's secretariat organisation."""
    sides = secretariat.get("/v1/organisations", query_string={"kind": "secretariat"}).json
    jp_side = next(o for o in sides["items"] if o["country"] == "JP")
    return Caller(secretariat.client, new_key(secretariat, jp_side["id"], role="auditor"))


def _body(partners: Partners, programme: dict, person: Person) -> dict:
    return application_body(
        programme, partners.india["id"], applicant=person.applicant(), statement=person.statement
    )


def _filed_and_moved(partners: Partners, programme: dict, person: Person, key: str) -> str:
    """An application of ``person`` filed with an Idempotency-Key, submitted and endorsed
    with comments that name them; its path."""
    body = _body(partners, programme, person)
    filed = partners.jp_caller.post("/v1/applications", body, headers={"Idempotency-Key": key})
    assert filed.status_code == 201, filed.json
    path = f"/v1/applications/{filed.json['id']}"
    assert move(partners.jp_caller, path, "submit", person.comment).status_code == 200
    assert move(partners.in_caller, path, "endorse", person.comment).status_code == 200
    return path


def _erase(secretariat: Caller, path: str) -> None:
    answer = secretariat.client.delete(f"{path}/personal-data", headers=secretariat.headers())
    assert answer.status_code == 204, answer.json


def test_the_event_log_history_and_stored_answers_forget_the_applicant(
    partners: Partners, programme: dict, secretariat: Caller, auditor: Caller, engine
):
    person = distinctive_person("japanese")
    key = uuid.uuid4().hex
    path = _filed_and_moved(partners, programme, person, key)
    application_id = path.rsplit("/", 1)[1]
    before = secretariat.get("/v1/events", query_string={"aggregate_id": application_id}).json
    assert found_in_text(json.dumps(before), person.values) == person.values

    _erase(secretariat, path)

    for caller in (secretariat, auditor):
        log = caller.get("/v1/events", query_string={"aggregate_id": application_id})
        assert log.status_code == 200
        assert found_in_text(log.get_data(as_text=True), person.values) == set()
        events = log.json["items"]
        assert [e["type"] for e in events] == [
            "application.created",
            "application.status_changed",
            "application.status_changed",
            "application.personal_data_erased",
        ]
        assert [e["data"].get("to") for e in events[1:3]] == ["submitted", "endorsed"]
        assert all(e["data"]["direction"] == "JP_TO_IN" for e in events[:3])
    history = partners.jp_caller.get(f"{path}/history").json
    assert [(h["action"], h["comment"]) for h in history] == [
        ("submit", None),
        ("endorse", None),
    ]
    again = partners.jp_caller.post(
        "/v1/applications",
        _body(partners, programme, person),
        headers={"Idempotency-Key": key},
    )
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json["id"] == application_id and again.json["applicant"] is None
    assert found_in_text(again.get_data(as_text=True), person.values) == set()


def test_the_erasure_records_who_erased_and_tells_the_home_and_host(
    partners: Partners, programme: dict, secretariat: Caller, engine
):
    path = _filed_and_moved(partners, programme, distinctive_person(), uuid.uuid4().hex)
    application_id = path.rsplit("/", 1)[1]
    _erase(secretariat, path)
    with engine.connect() as conn:
        row = conn.execute(select(Application).where(Application.id == application_id)).one()
    erased = secretariat.get(
        "/v1/events",
        query_string={"aggregate_id": application_id, "type": "application.personal_data_erased"},
    ).json["items"]
    assert len(erased) == 1
    assert erased[0]["data"] == {
        "id": application_id,
        "version": row.version,
        "reference": row.reference,
        "home_organisation_id": partners.jp["id"],
        "host_organisation_id": partners.india["id"],
        "erased_at": row.personal_data_erased_at.isoformat(),
        "actor_organisation_id": row.personal_data_erased_by_organisation_id,
        # Who erased it, by name (issue 29): here the JP side's bootstrap key.
        "actor": {
            "kind": "key",
            "id": row.personal_data_erased_by_key_id,
            "name": row.personal_data_erased_by["name"],
            "organisation_id": row.personal_data_erased_by_organisation_id,
            "side": "JP",
        },
    }
    assert row.personal_data_erased_by["name"].startswith("bootstrap-JP-")
    assert row.personal_data_erased_by_key_id is not None
    assert row.personal_data_erased_by_organisation_id not in (
        partners.jp["id"],
        partners.india["id"],
    )


def test_nothing_in_the_database_holds_the_applicant_after_the_erasure(
    partners: Partners, programme: dict, secretariat: Caller, engine, database_url: str
):
    """SQLite: the raw bytes of the database file and its write-ahead log. PostgreSQL: every
    row of every table as a query reads it, and every row version the pages still hold."""
    people = [distinctive_person("latin"), distinctive_person("devanagari")]
    paths = [_filed_and_moved(partners, programme, p, uuid.uuid4().hex) for p in people]
    kept = distinctive_person("latin")  # filed, never erased: the scan sees what is there
    _filed_and_moved(partners, programme, kept, uuid.uuid4().hex)
    for path in paths:
        _erase(secretariat, path)
    values = set().union(*(p.values for p in people))
    if database_url.startswith("sqlite"):
        found = files_holding(sqlite_files(database_url), values | kept.values)
        assert set().union(*found.values()) == kept.values
    else:
        rows = postgres_rows_holding(database_url, values | kept.values)
        assert set().union(*rows.values()) == kept.values
        assert postgres_tuples_holding(database_url, values) == {}


def test_a_reclaim_that_had_to_wait_is_done_by_the_calls_clock(
    partners: Partners, programme: dict, secretariat: Caller, engine
):
    """The erasure's answer comes after its reclaim, which nothing held up here: nothing is
    left due. A reclaim that gave up (an older transaction ran past its wait: the contract's
    tests hold one open) stays due, and the next tick of the clock does it."""
    path = _filed_and_moved(partners, programme, distinctive_person("latin"), uuid.uuid4().hex)
    _erase(secretariat, path)
    assert reclaims.due(engine, reclaims_due).erasures == 0
    with Session(engine) as session, session.begin():
        reclaims.record(session, reclaims_due, erasure.ERASED_TABLES)
    ticks = [call_clock.tick(sessionmaker(engine), datetime.now(UTC)) for _ in range(2)]
    assert [t["reclaimed"] for t in ticks] == [1, 0]
    assert reclaims.due(engine, reclaims_due).erasures == 0
