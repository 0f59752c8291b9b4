"""Erased means erased, end to end: `setu up` (gunicorn, relays, real workers), a real SMTP
server and partners' webhooks. Applications of people with distinctive names (Latin and
Japanese) are filed, moved, emailed (one mailbox refuses, quoting its address) and sent to
webhooks; the secretariat erases them; once every consumer has applied the erasure and no
reclaim of freed space is due, neither name nor address is in any SQLite file's raw bytes,
in the event log (secretariat and auditor), in what the notifications API and the dead
letters show, nor in any log line of any process. An application that is not erased is
found by the same scans."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.e2e.topology import RunningSetu, confirm_participation, metric, running_setu
from tests.integration.notifications.webhook_receiver import Receiver, verify
from tests.support.infra import postgres_database, wait_until
from tests.support.personal_data import (
    Person,
    database_holding,
    distinctive_person,
    files_holding,
    found_in_text,
)
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.e2e

START = "2027-05-01"
HOOKED = ("application.status_changed", "application.personal_data_erased")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def _created(system: RunningSetu, key: str, path: str, body: dict) -> dict:
    answer = system.api("POST", path, key, json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def _move(system: RunningSetu, key: str, path: str, action: str, comment: str | None = None):
    body = {"action": action} | ({"comment": comment} if comment else {})
    answer = system.api("POST", f"{path}/transitions", key, json=body)
    assert answer.status_code == 200, answer.text


class Parties:
    """The two secretariat sides, an auditor, and a partner organisation in each country."""

    def __init__(self, system: RunningSetu):
        self.jp_secretariat = system.bootstrap_key("JP")
        self.in_secretariat = system.bootstrap_key("IN")
        sides = system.api("GET", "/v1/organisations?kind=secretariat", self.jp_secretariat)
        jp_side = next(o for o in sides.json()["items"] if o["country"] == "JP")
        self.auditor = self._key(system, jp_side["id"], "auditor")
        self.orgs = {
            country: _created(
                system,
                self.jp_secretariat,
                "/v1/organisations",
                {
                    "name": f"{country} institute {uuid.uuid4().hex[:6]}",
                    "country": country,
                    "kind": "university",
                    "contact_email": f"office@{country.lower()}.example.org",
                },
            )["id"]
            for country in ("JP", "IN")
        }
        self.partner = {c: self._key(system, o, "partner") for c, o in self.orgs.items()}

    def _key(self, system: RunningSetu, organisation_id: str, role: str) -> str:
        path = f"/v1/organisations/{organisation_id}/api-keys"
        return _created(system, self.jp_secretariat, path, {"name": role, "role": role})["key"]


def approved_programme(system: RunningSetu, parties: Parties) -> str:
    """A programme led from both countries, submitted and approved by both sides; its id."""
    jp, india = parties.orgs["JP"], parties.orgs["IN"]
    programme = _created(
        system,
        parties.partner["JP"],
        "/v1/programmes",
        {
            "title": "Chiplet packaging for edge AI accelerators",
            "focus_area": "ai_research",  # no export-control screening holds it
            "partners": [
                {"organisation_id": jp, "role": "lead"},
                {"organisation_id": india, "role": "lead"},
            ],
            "start_date": "2027-04-01",
            "end_date": "2029-03-31",
            "budget": [{"organisation_id": jp, "currency": "JPY", "amount": "50000000"}],
            "exchange_slots": 5,
        },
    )
    path = f"/v1/programmes/{programme['id']}"
    assert confirm_participation(system, parties.partner["IN"], programme["id"]).status_code == 200
    _move(system, parties.partner["JP"], path, "submit")
    _move(system, parties.jp_secretariat, path, "start_review")
    _move(system, parties.jp_secretariat, path, "approve")
    _move(system, parties.in_secretariat, path, "approve")
    return programme["id"]


def _file(system: RunningSetu, parties: Parties, programme_id: str, person: Person) -> str:
    """``person``'s application, filed by the JP partner for a stay at the IN one; its path."""
    application = _created(
        system,
        parties.partner["JP"],
        "/v1/applications",
        {
            "programme_id": programme_id,
            "applicant": person.applicant(nationality="JP", language="ja"),
            "career_stage": "phd",
            "host_organisation_id": parties.orgs["IN"],
            "start_date": START,
            "end_date": "2027-11-01",
            "statement": person.statement,
        },
    )
    return f"/v1/applications/{application['id']}"


def _register_webhooks(system: RunningSetu, parties: Parties, url: str) -> list[str]:
    """The home's and the host's endpoints; their secrets."""
    return [
        _created(system, key, "/v1/webhooks", {"url": url, "event_types": list(HOOKED)})["secret"]
        for key in parties.partner.values()
    ]


def _event_log(system: RunningSetu, key: str) -> str:
    """Every page of the event log, as ``key`` reads it."""
    pages, page = [], 1
    while True:
        answer = system.api("GET", f"/v1/events?page_size=100&page={page}", key)
        assert answer.status_code == 200, answer.text
        pages.append(answer.text)
        if page * 100 >= answer.json()["total"]:
            return "\n".join(pages)
        page += 1


def _erasure_event_ids(system: RunningSetu, key: str, paths: list[str]) -> set[str]:
    ids = set()
    for path in paths:
        query = f"aggregate_id={path.rsplit('/', 1)[1]}&type=application.personal_data_erased"
        [erased] = system.api("GET", f"/v1/events?{query}", key).json()["items"]
        ids.add(erased["id"])
    return ids


def _applied_by_every_consumer(system: RunningSetu, event_ids: set[str]) -> bool:
    quoted = ", ".join(f"'{event_id}'" for event_id in event_ids)
    return all(
        len(system.rows(service, f"SELECT 1 FROM processed_events WHERE event_id IN ({quoted})"))
        == len(event_ids)
        for service in ("notifications", "reports")
    )


def _reclaims_due(system: RunningSetu) -> float:
    """The erasures whose freed space a service has still to reclaim, as the programmes and
    notifications APIs tell Prometheus."""
    return sum(
        metric(system.scrape(variable), "setu_reclaims_due", service=service)
        for service, variable in (
            ("programmes", "PROGRAMMES_PORT"),
            ("notifications", "NOTIFICATIONS_PORT"),
        )
    )


def _what_setu_shows(system: RunningSetu, parties: Parties) -> str:
    """The event log (secretariat, auditor), the emails' and webhooks' records, the dead
    letters: everything a reader of Setu's APIs and an operator see."""
    shown = [_event_log(system, key) for key in (parties.jp_secretariat, parties.auditor)]
    shown.append(system.api("GET", "/v1/notifications?page_size=100", parties.auditor).text)
    for key in parties.partner.values():
        for hook in system.api("GET", "/v1/webhooks", key).json()["items"]:
            shown.append(system.api("GET", f"/v1/webhooks/{hook['id']}/deliveries", key).text)
    shown.append(system.setu("events", "dead-letters"))
    return "\n".join(shown)


def _database_files(data_dir: Path) -> list[Path]:
    return [path for path in data_dir.rglob("*.db*") if path.is_file()]


SERVICES = ("programmes", "notifications", "reports")


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """`setu up`'s own SQLite files, or a PostgreSQL database for each service."""
    if request.param == "sqlite":
        yield {}
        return
    with ExitStack() as stack:
        yield {
            f"{service.upper()}_DATABASE_URL": stack.enter_context(postgres_database())
            for service in SERVICES
        }


def _databases_holding(
    data_dir: Path, urls: dict[str, str], values: set[str]
) -> dict[str, set[str]]:
    """Where each of ``values`` is kept. SQLite: every database file's raw bytes. PostgreSQL:
    every row of every table as a query reads it, and every row version the tables' pages
    hold."""
    if not urls:
        return {str(k): v for k, v in files_holding(_database_files(data_dir), values).items()}
    return {
        f"{service}: {where}": found
        for service, url in urls.items()
        for where, found in database_holding(url, values).items()
    }


def test_an_erased_applicant_is_found_nowhere(
    tmp_path: Path,
    redis_url: str,
    smtp_server: SmtpServer,
    receiver: Receiver,
    databases: dict[str, str],
):
    erased = [distinctive_person("latin"), distinctive_person("japanese")]
    kept = distinctive_person("devanagari")
    refused = erased[1].email
    smtp_server.handler.refusals[refused] = f"550 5.1.1 <{refused}>: Recipient address rejected"
    names = set().union(*(person.values for person in erased))
    env = {"WEBHOOK_ALLOW_PRIVATE": "1", **databases}
    with running_setu(tmp_path, redis_url, smtp_server.port, **env) as system:
        parties = Parties(system)
        secrets = _register_webhooks(system, parties, receiver.url)
        programme_id = approved_programme(system, parties)
        paths = [_file(system, parties, programme_id, p) for p in (*erased, kept)]
        for person, path in zip((*erased, kept), paths, strict=True):
            _move(system, parties.partner["JP"], path, "submit", person.comment)
        for person, path in zip(erased, paths[:2], strict=True):
            _move(system, parties.partner["IN"], path, "endorse", person.comment)
        _move(system, parties.jp_secretariat, paths[0], "accept", erased[0].comment)
        # The programme's three emails; submitted: receipt (one refused) and host, each;
        # endorsed: the secretariat, twice; accepted: applicant, home and host.
        smtp_server.wait_for(3 + 5 + 2 + 3, timeout=60)
        wait_until(lambda: len(receiver.received()) == 2 * 6, 60, message="the webhooks")
        assert found_in_text(_what_setu_shows(system, parties), names | kept.values) == (
            names | kept.values
        )

        for path in paths[:2]:
            answer = system.api("DELETE", f"{path}/personal-data", parties.jp_secretariat)
            assert answer.status_code == 204, answer.text
        erasures = _erasure_event_ids(system, parties.jp_secretariat, paths[:2])
        wait_until(
            lambda: _applied_by_every_consumer(system, erasures),
            60,
            message="every consumer to apply the erasures",
        )
        # The erasure's webhooks are sent once notifications has erased its copies.
        wait_until(lambda: len(receiver.received()) == 2 * 8, 60, message="the erasures' hooks")
        # A reclaim that a busy database made give up is done by the service's periodic work
        # (the clock, the sweeper: every minute).
        wait_until(lambda: _reclaims_due(system) == 0, 150, message="the erasures' reclaims")

        shown = _what_setu_shows(system, parties)
        assert found_in_text(shown, names) == set()
        assert found_in_text(shown, kept.values) == kept.values
        holding = _databases_holding(tmp_path, databases, names | kept.values)
        assert set().union(*holding.values()) == kept.values, {
            where: found & names for where, found in holding.items() if found & names
        }
        told = [(h, b) for h, p, b in receiver.received() if p["id"] in erasures]
        assert len(told) == 4
        assert all(any(verify(s, headers, body) for s in secrets) for headers, body in told)

    logs = system.process.output()
    assert "email failed" in logs  # the refused mailbox's delivery, logged
    assert found_in_text(logs, names | kept.values) == set()
