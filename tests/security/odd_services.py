"""The three services' real apps for the security tests that walk the OpenAPI document:
each on its own migrated database (SQLite and PostgreSQL in turn) with a real Redis, real
rows behind every path parameter, and a valid body of every operation that takes one."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from notifications.app import create_app as notifications_app
from notifications.config import Config as NotificationsConfig
from programmes.app import create_app as programmes_app
from programmes.cli import cli as programmes_cli
from programmes.config import Config as ProgrammesConfig
from reports.app import create_app as reports_app
from reports.config import Config as ReportsConfig
from setu_contract.http import Principal
from tests.contract_fuzz.seeding import application_body, programme_body
from tests.security.odd_values import OddRequest
from tests.support.identity import CONFIG_SECRETS, INTERNAL_SECRET, signing_client
from tests.support.templates import migrated_database

NOTIFICATIONS_PATHS = ("/v1/notifications", "/v1/webhooks", "/v1/unsubscribe")
REPORTS_PATHS = ("/v1/reports", "/v1/report-schedules", "/v1/report-links")
# Operations that only a partner may take: they are sent with a partner's key.
PARTNER_OPERATIONS = {
    ("POST", "/v1/programmes"),
    ("PATCH", "/v1/programmes/{programme_id}"),
    ("POST", "/v1/programmes/{programme_id}/participation"),
    ("POST", "/v1/applications"),
    ("PATCH", "/v1/applications/{application_id}"),
    ("POST", "/v1/webhooks"),
    ("GET", "/v1/webhooks"),
    ("GET", "/v1/webhooks/{webhook_id}"),
    ("GET", "/v1/webhooks/{webhook_id}/deliveries"),
    ("DELETE", "/v1/webhooks/{webhook_id}"),
}


@dataclass
class Services:
    """The three apps, the callers' credentials and the ids of real rows."""

    programmes: FlaskClient
    notifications: FlaskClient
    reports: FlaskClient
    secretariat_key: str
    partner_key: str
    secretariat: Principal
    partner: Principal
    ids: dict[str, str]
    bodies: dict[tuple[str, str], dict[str, Any]]

    def send(self, odd: OddRequest, extra_headers: dict[str, str] | None = None):
        operation = odd.operation
        as_partner = (operation.method, operation.path) in PARTNER_OPERATIONS
        headers = {"Content-Type": "application/json"} if odd.body is not None else {}
        if operation.path.startswith(NOTIFICATIONS_PATHS + REPORTS_PATHS):
            client = (
                self.notifications
                if operation.path.startswith(NOTIFICATIONS_PATHS)
                else self.reports
            )
            headers.update((self.partner if as_partner else self.secretariat).headers())
        else:
            client = self.programmes
            key = self.partner_key if as_partner else self.secretariat_key
            headers["Authorization"] = f"Bearer {key}"
        headers.update(extra_headers or {})
        return client.open(odd.url(), method=operation.method, data=odd.body, headers=headers)


def _bootstrap(database_url: str, redis_url: str, side: str = "JP") -> str:
    env = {"PROGRAMMES_DATABASE_URL": database_url, "REDIS_URL": redis_url}
    result = CliRunner().invoke(programmes_cli, ["bootstrap", "--side", side], env=env)
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def _created(client: FlaskClient, key: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = client.post(path, json=body, headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return answer.json


# A JP screening that clears (the seeded programme is a semiconductor one: both sides screen
# it before it is approved).
SCREENING = {
    "jurisdiction": "JP",
    "regime": "FEFTA",
    "classification": "not_listed",
    "basis": "list",
    "outcome": "cleared",
}


def _bodies(ids: dict[str, str]) -> dict[tuple[str, str], dict[str, Any]]:
    """A valid body of each operation that takes one, around which one field is made odd."""
    programme = programme_body(ids["JP"], ids["IN"])
    report = {
        "type": "programme_portfolio",
        "format": "csv",
        "period": {"start": "2026-01-01", "end": "2026-12-31"},
    }
    schedule = {"type": "exchange_flows", "format": "json", "cron": "0 6 * * 1"}
    schedule["timezone"] = "Asia/Tokyo"
    organisation = {"name": "Odd Lab", "country": "JP", "kind": "company"}
    organisation["contact_email"] = "lab@example.jp"
    return {
        ("POST", "/v1/organisations"): organisation,
        ("PATCH", "/v1/organisations/{organisation_id}"): {"name": "Odd Lab renamed"},
        ("POST", "/v1/organisations/{organisation_id}/api-keys"): {
            "name": "odd",
            "role": "partner",
            "expires_at": "2030-01-01T00:00:00+09:00",
        },
        ("POST", "/v1/programmes"): programme,
        ("PATCH", "/v1/programmes/{programme_id}"): {"title": "Chiplet packaging, revised"},
        ("POST", "/v1/programmes/{programme_id}/participation"): {"decision": "confirm"},
        ("POST", "/v1/programmes/{programme_id}/transitions"): {"action": "start_review"},
        ("POST", "/v1/applications"): application_body(ids["programme_id"], ids["IN"]),
        ("PATCH", "/v1/applications/{application_id}"): {"career_stage": "postdoc"},
        ("POST", "/v1/applications/{application_id}/transitions"): {"action": "waitlist"},
        ("PUT", "/v1/applications/{application_id}/mobility/{item}"): {"status": "arranged"},
        ("PATCH", "/v1/applications/{application_id}/mobility/{item}"): {"status": "arranged"},
        ("POST", "/v1/reports"): report,
        ("POST", "/v1/report-schedules"): schedule,
        ("PATCH", "/v1/report-schedules/{schedule_id}"): {"enabled": False},
        ("POST", "/v1/webhooks"): {
            "url": "https://127.0.0.1:9/hook",
            "event_types": ["programme.created"],
        },
        ("POST", "/v1/organisations/{organisation_id}/people"): {
            "name": "Odd Person",
            "email": f"odd-{uuid.uuid4().hex[:8]}@example.jp",
            "role": "partner",
            "language": "ja",
        },
        ("PATCH", "/v1/people/{person_id}"): {"language": "en"},
        ("POST", "/v1/sign-in"): {"email": "odd@example.jp", "next": "/console/"},
        ("POST", "/v1/sessions"): {"token": "setul_odd"},
        ("POST", "/v1/sessions/current/totp-enrolment"): {},
        ("POST", "/v1/sessions/current/totp-enrolment/confirm"): {"code": "123456"},
        ("POST", "/v1/sessions/current/totp"): {"code": "123456"},
        ("POST", "/v1/calls"): _call_body(),
        ("PATCH", "/v1/calls/{call_id}"): {"title": "Semiconductor packaging 2028"},
        ("POST", "/v1/calls/{call_id}/transitions"): {"action": "open"},
        ("POST", "/v1/programmes/{programme_id}/reviews"): {"reviewer_person_id": ids["person_id"]},
        ("POST", "/v1/reviews/{review_id}/declaration"): {"declaration": "none"},
        ("POST", "/v1/programmes/{programme_id}/screenings"): SCREENING,
        ("POST", "/v1/applications/{application_id}/screenings"): {
            **SCREENING,
            "jurisdiction": "IN",
            "regime": "SCOMET",
        },
        ("POST", "/v1/reviews/{review_id}/submission"): {
            "scores": {"merit": {"score": 4, "comment": "Sound plan."}}
        },
    }


def _call_body() -> dict[str, Any]:
    """A draft call that opens in a month (the clock leaves it a draft while the tests run)."""
    opens = datetime.now(UTC) + timedelta(days=30)
    return {
        "title": "Semiconductor packaging 2027",
        "focus_areas": ["semiconductor_packaging"],
        "opens_at": opens.isoformat(),
        "closes_at": (opens + timedelta(days=30)).isoformat(),
        "timezone": "Asia/Tokyo",
        "budget_envelope": {"JPY": "80000000", "INR": "1000"},
        "review": {
            "reviewers_per_proposal": 2,
            "criteria": [{"key": "merit", "label": "Scientific merit", "weight": 1}],
            "due_days": 14,
        },
    }


def _seed_programmes(services: Services, in_side_key: str) -> None:
    """Two partner organisations, an approved programme and an application in it."""
    client, secretariat = services.programmes, services.secretariat_key
    ids = services.ids
    for country in ("JP", "IN"):
        body = {"name": f"Odd {country} lab", "country": country, "kind": "university"}
        body["contact_email"] = f"lab@example.{country.lower()}"
        ids[country] = _created(client, secretariat, "/v1/organisations", body)["id"]
    keys = {
        country: _created(
            client,
            secretariat,
            f"/v1/organisations/{ids[country]}/api-keys",
            {"name": "odd", "role": "partner"},
        )["key"]
        for country in ("JP", "IN")
    }
    services.partner_key = keys["JP"]
    services.partner = Principal(ids["JP"], "partner", "odd-partner-key")
    programme = _created(
        client, keys["JP"], "/v1/programmes", programme_body(ids["JP"], ids["IN"])
    )["id"]
    path = f"/v1/programmes/{programme}"
    steps = [
        (keys["IN"], "/participation", {"decision": "confirm"}),
        (keys["JP"], "/transitions", {"action": "submit"}),
        (secretariat, "/transitions", {"action": "start_review"}),
        (secretariat, "/screenings", SCREENING),
        (in_side_key, "/screenings", {**SCREENING, "jurisdiction": "IN", "regime": "SCOMET"}),
        (secretariat, "/transitions", {"action": "approve"}),
        (in_side_key, "/transitions", {"action": "approve"}),
    ]
    for key, step, body in steps:
        answer = client.post(path + step, json=body, headers={"Authorization": f"Bearer {key}"})
        assert answer.status_code in (200, 201), answer.get_data(as_text=True)
    application = _created(
        client, keys["JP"], "/v1/applications", application_body(programme, ids["IN"])
    )
    spare = _created(
        client,
        secretariat,
        f"/v1/organisations/{ids['JP']}/api-keys",
        {"name": "spare", "role": "partner"},
    )
    person = _created(
        client,
        secretariat,
        f"/v1/organisations/{ids['JP']}/people",
        {"name": "Odd Person", "email": "odd-person@example.jp", "role": "partner"},
    )
    call = _created(client, secretariat, "/v1/calls", _call_body())
    ids.update(
        call_id=call["id"],
        # No review is made here (it needs a call's programme under review and an expert
        # panel): odd input to a review that does not exist must still be a 4xx.
        review_id=str(uuid.uuid4()),
        # A mobility checklist item (of a draft: its changes are 409, still a 4xx).
        item="insurance",
        person_id=person["id"],
        organisation_id=ids["JP"],
        programme_id=programme,
        application_id=application["id"],
        key_id=spare["id"],
    )


def _seed_elsewhere(services: Services) -> None:
    """A webhook, a report and a schedule, made through their services' APIs."""

    def made(client: FlaskClient, principal: Principal, path: str, body: dict[str, Any]) -> str:
        answer = client.post(path, json=body, headers=principal.headers())
        assert answer.status_code in (201, 202), answer.get_data(as_text=True)
        return answer.json["id"]

    bodies = services.bodies
    services.ids.update(
        webhook_id=made(
            services.notifications,
            services.partner,
            "/v1/webhooks",
            bodies[("POST", "/v1/webhooks")],
        ),
        report_id=made(
            services.reports, services.secretariat, "/v1/reports", bodies[("POST", "/v1/reports")]
        ),
        schedule_id=made(
            services.reports,
            services.secretariat,
            "/v1/report-schedules",
            bodies[("POST", "/v1/report-schedules")],
        ),
        notification_id=str(uuid.uuid4()),
        token=uuid.uuid4().hex,
    )


@contextmanager
def _running(urls: list[str], redis_url: str, data_dir: Path) -> Iterator[Services]:
    programmes_url, notifications_url, reports_url = urls
    apps = [
        programmes_app(
            ProgrammesConfig(
                database_url=programmes_url,
                redis_url=redis_url,
                rate_limit="1000000/minute",
                auth_failure_limit="1000000/minute",
                testing=True,
                internal_secret=INTERNAL_SECRET,
            )
        ),
        notifications_app(
            NotificationsConfig(
                database_url=notifications_url,
                redis_url=redis_url,
                webhook_allow_private=True,
                **CONFIG_SECRETS,
            )
        ),
        reports_app(
            ReportsConfig(
                database_url=reports_url,
                redis_url=redis_url,
                data_dir=data_dir / "reports",
                **CONFIG_SECRETS,
            )
        ),
    ]
    try:
        secretariat_key = _bootstrap(programmes_url, redis_url)
        services = Services(
            programmes=apps[0].test_client(),
            notifications=signing_client(apps[1]),
            reports=signing_client(apps[2]),
            secretariat_key=secretariat_key,
            partner_key="",
            secretariat=Principal("odd-secretariat", "secretariat", "odd-secretariat-key", "JP"),
            partner=Principal("odd-partner", "partner", "odd-partner-key"),
            ids={},
            bodies={},
        )
        _seed_programmes(services, _bootstrap(programmes_url, redis_url, "IN"))
        services.bodies = _bodies(services.ids)
        _seed_elsewhere(services)
        yield services
    finally:
        apps[0].extensions["programmes.engine"].dispose()
        apps[1].extensions["notifications.engine"].dispose()
        apps[2].extensions["reports"].engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def three_services(
    request: pytest.FixtureRequest, tmp_path: Path, redis_url: str
) -> Iterator[Services]:
    with ExitStack() as stack:
        urls = [
            stack.enter_context(migrated_database(request.param, service, tmp_path))
            for service in ("programmes", "notifications", "reports")
        ]
        yield stack.enter_context(_running(urls, redis_url, tmp_path))


def service_of(path: str) -> str:
    if path.startswith(NOTIFICATIONS_PATHS):
        return "notifications"
    if path.startswith(REPORTS_PATHS):
        return "reports"
    return "programmes"
