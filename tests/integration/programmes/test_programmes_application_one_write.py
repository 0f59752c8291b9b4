"""Filing an application writes one statement: on PostgreSQL it runs in autocommit (no BEGIN
and COMMIT), and a second write in the create is refused; with an Idempotency-Key, and on
SQLite, the create is a transaction."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, insert, select

from programmes.services import applications
from programmes.store.models import Application, idempotency_records, outbox
from setu_contract.database import SecondWrite
from tests.integration.programmes.conftest import Caller, Partners
from tests.integration.programmes.test_programmes_applications import (
    application_body,
    approved_programme,
)


@pytest.fixture
def programme(partners: Partners, secretariat: Caller, secretariat_in: Caller) -> dict:
    return approved_programme(partners, secretariat, secretariat_in, slots=2)


def sent(app: Flask) -> list[tuple[str, bool]]:
    """Each statement the app's engine sends, with whether its connection is in autocommit."""
    seen: list[tuple[str, bool]] = []

    def before(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        autocommit = getattr(conn.connection.dbapi_connection, "autocommit", False) is True
        seen.append((" ".join(statement.split()[:3]), autocommit))

    engines = (app.extensions["programmes.engine"], app.extensions["programmes.one_write_engine"])
    for engine in dict.fromkeys(engines):
        event.listen(engine, "before_cursor_execute", before)
    return seen


def rows(engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return tuple(
            conn.scalar(select(func.count()).select_from(table))
            for table in (Application.__table__, outbox, idempotency_records)
        )


def test_a_create_is_one_statement_in_autocommit_on_postgresql(
    app: Flask, partners: Partners, programme: dict, engine
):
    before = rows(engine)
    seen = sent(app)
    body = application_body(programme, partners.india["id"])
    answer = partners.jp_caller.post("/v1/applications", body)
    assert answer.status_code == 201, answer.json
    assert rows(engine) == (before[0] + 1, before[1] + 1, before[2])
    if engine.dialect.name == "postgresql":
        assert seen == [
            ("SELECT programmes.reference, programme_partners.organisation_id,", True),
            ("WITH applications_inserted AS", True),
        ]
    else:  # a transaction holding SQLite's write lock from its first read
        assert [statement for statement, _ in seen][:1] == ["BEGIN IMMEDIATE"]
        assert [s for s, _ in seen if s.startswith("INSERT INTO")] == [
            "INSERT INTO reference_counters",
            "INSERT INTO applications",
            "INSERT INTO outbox",
        ]


# PostgreSQL only: SQLite runs the create in a transaction, which a second write keeps atomic.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_second_write_in_the_create_is_refused_on_postgresql(
    app: Flask, partners: Partners, programme: dict, engine, monkeypatch, caplog
):
    assert engine.dialect.name == "postgresql"
    emit = applications.emit

    def emit_and_write_again(session, *args, **kwargs):
        emit(session, *args, **kwargs)
        session.execute(insert(outbox), {})  # never sent on PostgreSQL

    monkeypatch.setattr(applications, "emit", emit_and_write_again)
    before = rows(engine)
    body = application_body(programme, partners.india["id"])
    assert partners.jp_caller.post("/v1/applications", body).status_code == 500
    refused = [r.exc_info[1] for r in caplog.records if r.exc_info]
    assert [type(error) for error in refused] == [SecondWrite]
    # The one statement stood; the second was refused before it reached the database.
    assert rows(engine) == (before[0] + 1, before[1] + 1, before[2])


def test_a_create_with_an_idempotency_key_keeps_its_transaction(
    app: Flask, partners: Partners, programme: dict, engine
):
    before = rows(engine)
    seen = sent(app)
    body = application_body(programme, partners.india["id"])
    headers = {"Idempotency-Key": "file-aiko-1"}
    first = partners.jp_caller.post("/v1/applications", body, headers=headers)
    again = partners.jp_caller.post("/v1/applications", body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["ETag"] == first.headers["ETag"]
    assert rows(engine) == (before[0] + 1, before[1] + 1, before[2] + 1)
    writes = [(s, autocommit) for s, autocommit in seen if not s.startswith(("SELECT", "BEGIN"))]
    assert ("INSERT INTO idempotency_records", False) in writes
    assert all(not autocommit for s, autocommit in writes if "reference_counters" not in s)
