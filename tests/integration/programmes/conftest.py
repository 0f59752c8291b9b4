"""A migrated programmes database, the API through Flask's test client, and handy callers."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, event

from programmes.app import create_app
from programmes.cli import cli
from programmes.config import Config
from programmes.services.organisations import bootstrap as make_secretariat
from programmes.store.db import make_engine, make_sessionmaker
from setu_contract.observability import new_correlation_id, set_correlation_id
from tests.support.identity import INTERNAL_SECRET


@dataclass
class Caller:
    """An API client acting with one key."""

    client: FlaskClient
    key: str

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}", **(extra or {})}

    def get(self, path: str, **kwargs: Any):
        return self.client.get(path, headers=self.headers(kwargs.pop("headers", None)), **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any):
        headers = self.headers(kwargs.pop("headers", None))
        return self.client.post(path, json=json, headers=headers, **kwargs)


@pytest.fixture
def schema() -> str:
    """Every database_url here starts with the programmes schema at head."""
    return "programmes"


@pytest.fixture
def programmes_env(database_url: str, redis_url: str) -> dict[str, str]:
    return {
        "PROGRAMMES_DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRETARIAT_EMAIL": "secretariat@setu.test",
    }


@pytest.fixture
def app(database_url: str, redis_url: str) -> Iterator[Flask]:
    flask_app = create_app(
        Config(
            database_url=database_url,
            redis_url=redis_url,
            testing=True,
            internal_secret=INTERNAL_SECRET,
        )
    )
    yield flask_app
    flask_app.extensions["programmes.engine"].dispose()
    flask_app.extensions["programmes.one_write_engine"].dispose()


class Statements:
    """How many statements an app's engine has run that ``counted`` accepts (by their SQL)."""

    def __init__(self, engine: Engine, counted: Callable[[str], bool]):
        self.count = 0
        self.counted = counted
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement: str, *_args) -> None:
        if self.counted(statement):
            self.count += 1


def another_process(database_url: str, redis_url: str) -> Flask:
    """Another API process: its own kept keys and programmes, the same database and Redis
    (Redis at ``redis_url``: one that does not answer, for a process with Redis away)."""
    return create_app(
        Config(
            database_url=database_url,
            redis_url=redis_url,
            testing=True,
            internal_secret=INTERNAL_SECRET,
        )
    )


@pytest.fixture
def second(database_url: str, redis_url: str, app: Flask) -> Iterator[Flask]:
    """A second API process beside ``app``."""
    other = another_process(database_url, redis_url)
    yield other
    other.extensions["programmes.engine"].dispose()
    other.extensions["programmes.one_write_engine"].dispose()


@pytest.fixture
def engine(app: Flask, database_url: str) -> Iterator[Engine]:
    db = make_engine(database_url)
    yield db
    db.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def run_bootstrap(env: dict[str, str], side: str = "JP") -> str:
    """`setu programmes bootstrap`; the key on its last line."""
    result = CliRunner().invoke(cli, ["bootstrap", "--side", side], env=env)
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def bootstrap_key(app: Flask, side: str = "JP") -> str:
    """A new secretariat key of ``side``, made as `setu programmes bootstrap` makes it (both
    sides created if missing), on the app's own engine: the command's process set-up and
    migration (a fifth of a second a call) are run_bootstrap's, which its own tests use."""
    engine = app.extensions["programmes.engine"]
    set_correlation_id(new_correlation_id())
    with make_sessionmaker(engine)() as session, session.begin():
        _, secret = make_secretariat(session, side, "secretariat@setu.test")
    return secret


@pytest.fixture
def secretariat(app: Flask, client: FlaskClient) -> Caller:
    return Caller(client, bootstrap_key(app, "JP"))


@pytest.fixture
def secretariat_in(app: Flask, client: FlaskClient) -> Caller:
    return Caller(client, bootstrap_key(app, "IN"))


def new_organisation(caller: Caller, country: str, kind: str = "university") -> dict[str, Any]:
    answer = caller.post(
        "/v1/organisations",
        {
            "name": f"Org {country} {uuid.uuid4().hex[:6]}",
            "country": country,
            "kind": kind,
            "contact_email": f"office-{uuid.uuid4().hex[:6]}@example.org",
        },
    )
    assert answer.status_code == 201, answer.json
    return answer.json


def new_key(caller: Caller, organisation_id: str, role: str = "partner") -> str:
    answer = caller.post(
        f"/v1/organisations/{organisation_id}/api-keys", {"name": "test", "role": role}
    )
    assert answer.status_code == 201, answer.json
    return answer.json["key"]


def side_organisation(caller: Caller, country: str) -> dict[str, Any]:
    """The secretariat organisation of one side (made by bootstrap)."""
    found = caller.get(
        "/v1/organisations", query_string={"kind": "secretariat", "country": country}
    ).json["items"]
    assert len(found) == 1, found
    return caller.get(f"/v1/organisations/{found[0]['id']}").json


def new_auditor(secretariat: Caller, country: str = "JP") -> Caller:
    """An auditor: a key of that role on a secretariat side's organisation."""
    side = side_organisation(secretariat, country)
    return Caller(secretariat.client, new_key(secretariat, side["id"], role="auditor"))


@dataclass
class Partners:
    jp: dict[str, Any]
    india: dict[str, Any]
    jp_caller: Caller
    in_caller: Caller


@pytest.fixture
def partners(secretariat: Caller) -> Partners:
    jp = new_organisation(secretariat, "JP")
    india = new_organisation(secretariat, "IN")
    return Partners(
        jp,
        india,
        Caller(secretariat.client, new_key(secretariat, jp["id"])),
        Caller(secretariat.client, new_key(secretariat, india["id"])),
    )


def unanswered(answer: dict[str, Any]) -> dict[str, Any]:
    """A programme or an application as the service keeps it, without what one caller was
    answered it may do (``allowed_actions``)."""
    return {name: value for name, value in answer.items() if name != "allowed_actions"}


def programme_body(partners: Partners, /, **overrides: Any) -> dict[str, Any]:
    body = {
        "title": "Chiplet packaging for edge AI accelerators",
        "summary": "Joint work on 2.5D packaging.",
        "focus_area": "semiconductor_packaging",
        "partners": [
            {"organisation_id": partners.jp["id"], "role": "lead"},
            {"organisation_id": partners.india["id"], "role": "lead"},
        ],
        "start_date": "2027-04-01",
        "end_date": "2029-03-31",
        "budget": [
            {"organisation_id": partners.jp["id"], "currency": "JPY", "amount": "50000000"},
            {"organisation_id": partners.india["id"], "currency": "INR", "amount": "250.5"},
        ],
        "exchange_slots": 10,
    }
    body.update(overrides)
    return body


def confirm(caller: Caller, programme_id: str) -> dict[str, Any]:
    """The caller's organisation confirms its part in a programme another proposed."""
    answer = caller.post(f"/v1/programmes/{programme_id}/participation", {"decision": "confirm"})
    assert answer.status_code == 200, answer.json
    return answer.json


def propose(partners: Partners, /, body: dict[str, Any] | None = None, **overrides: Any) -> dict:
    """A draft proposed by the JP partner and confirmed by the IN one, ready to submit; as the
    JP partner reads it."""
    body = body or programme_body(partners, **overrides)
    created = partners.jp_caller.post("/v1/programmes", body)
    assert created.status_code == 201, created.json
    for partner in body["partners"]:
        if partner["organisation_id"] == partners.india["id"]:
            confirm(partners.in_caller, created.json["id"])
    return partners.jp_caller.get(f"/v1/programmes/{created.json['id']}").json
