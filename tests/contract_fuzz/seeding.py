"""Real rows for the contract fuzz run, so that requests by id reach the code behind the 404.

Everything is made through the public API of a running system, as partners and the two
secretariat sides would make it: organisations in both countries, partner keys, an approved
and a draft programme, applications, a webhook, a report (whose email carries an unsubscribe
link) and a report schedule.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from tests.e2e.topology import RunningSetu, confirm_participation
from tests.support.smtp import SmtpServer

UNSUBSCRIBE = re.compile(r"/v1/unsubscribe/([^>\s]+)")


@dataclass
class Seeded:
    """The keys and the ids of the rows made; ``ids`` maps a dictionary name to its values."""

    secretariat_jp: str
    secretariat_in: str
    partner_jp: str
    partner_in: str
    auditor: str
    ids: dict[str, list[str]] = field(default_factory=dict)


def _created(
    system: RunningSetu, key: str, path: str, body: dict[str, Any], status: int = 201
) -> dict[str, Any]:
    answer = system.api("POST", path, key, json=body)
    assert answer.status_code == status, f"POST {path}: {answer.status_code} {answer.text}"
    return answer.json()


def _move(system: RunningSetu, key: str, path: str, action: str) -> None:
    answer = system.api("POST", f"{path}/transitions", key, json={"action": action})
    assert answer.status_code == 200, f"{action} {path}: {answer.status_code} {answer.text}"


def _organisation(system: RunningSetu, key: str, country: str, kind: str = "university") -> str:
    body = {
        "name": f"Fuzz {country} {uuid.uuid4().hex[:6]}",
        "country": country,
        "kind": kind,
        "contact_email": f"office-{country.lower()}@example.org",
    }
    return _created(system, key, "/v1/organisations", body)["id"]


def _side(system: RunningSetu, key: str, country: str) -> str:
    """The id of one secretariat side's organisation (auditor keys exist only there)."""
    query = f"/v1/organisations?kind=secretariat&country={country}"
    answer = system.api("GET", query, key)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"][0]["id"]


def _key(
    system: RunningSetu, key: str, organisation_id: str, name: str, role: str = "partner"
) -> dict[str, Any]:
    body = {"name": name, "role": role}
    return _created(system, key, f"/v1/organisations/{organisation_id}/api-keys", body)


def programme_body(jp_id: str, in_id: str) -> dict[str, Any]:
    return {
        "title": "Chiplet packaging for edge AI accelerators",
        "summary": "Joint work on 2.5D packaging.",
        "focus_area": "semiconductor_packaging",
        "partners": [
            {"organisation_id": jp_id, "role": "lead"},
            {"organisation_id": in_id, "role": "lead"},
        ],
        "start_date": "2027-04-01",
        "end_date": "2029-03-31",
        "budget": [{"organisation_id": jp_id, "currency": "JPY", "amount": "50000000"}],
        "exchange_slots": 5,
    }


def application_body(programme_id: str, host_id: str) -> dict[str, Any]:
    start = date.today() + timedelta(days=30)
    return {
        "programme_id": programme_id,
        "applicant": {
            "full_name": "Aiko Tanaka",
            "email": "aiko@example.jp",
            "nationality": "JP",
            "preferred_language": "ja",
        },
        "career_stage": "phd",
        "host_organisation_id": host_id,
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=180)).isoformat(),
        "statement": "I will study advanced packaging of chiplets at the host lab. " * 2,
    }


def _programmes(system: RunningSetu, seeded: Seeded, jp_id: str, in_id: str) -> list[str]:
    body = programme_body(jp_id, in_id)
    approved = _created(system, seeded.partner_jp, "/v1/programmes", body)["id"]
    draft = _created(system, seeded.partner_jp, "/v1/programmes", body)["id"]
    path = f"/v1/programmes/{approved}"
    confirm_participation(system, seeded.partner_in, approved)
    _move(system, seeded.partner_jp, path, "submit")
    _move(system, seeded.secretariat_jp, path, "start_review")
    # A semiconductor programme: each side screens it before the second approval.
    for key, side, regime in (
        (seeded.secretariat_jp, "JP", "FEFTA"),
        (seeded.secretariat_in, "IN", "SCOMET"),
    ):
        screening = {
            "jurisdiction": side,
            "regime": regime,
            "classification": "not_listed",
            "basis": "list",
            "outcome": "cleared",
        }
        _created(system, key, f"{path}/screenings", screening)
    _move(system, seeded.secretariat_jp, path, "approve")
    _move(system, seeded.secretariat_in, path, "approve")
    return [approved, draft]


def _reporting(system: RunningSetu, key: str) -> dict[str, list[str]]:
    # Reports are emailed only to the secretariat or organisations' contacts; the
    # secretariat's address is known to the reports service from the start.
    recipients = [system.env["SECRETARIAT_EMAIL"]]
    report = {
        "type": "programme_portfolio",
        "format": "csv",
        "period": {"start": "2026-01-01", "end": "2026-12-31"},
        "recipients": recipients,
    }
    schedule = {
        "type": "exchange_flows",
        "format": "json",
        "cron": "0 6 * * 1",
        "timezone": "Asia/Tokyo",
        "recipients": recipients,
    }
    webhook = {"event_types": ["programme.created"], "url": "https://127.0.0.1:9/hook"}
    return {
        "reports": [_created(system, key, "/v1/reports", report, 202)["id"]],
        "schedules": [_created(system, key, "/v1/report-schedules", schedule)["id"]],
        "webhooks": [_created(system, key, "/v1/webhooks", webhook)["id"]],
    }


def unsubscribe_tokens(smtp: SmtpServer) -> list[str]:
    """The tokens of the unsubscribe links in the emails received so far."""
    headers = (str(message.get("List-Unsubscribe", "")) for message in smtp.messages)
    return sorted({match.group(1) for text in headers for match in UNSUBSCRIBE.finditer(text)})


def seed(system: RunningSetu) -> Seeded:
    secretariat_jp = system.bootstrap_key("JP")
    secretariat_in = system.bootstrap_key("IN")
    jp_id = _organisation(system, secretariat_jp, "JP")
    in_id = _organisation(system, secretariat_jp, "IN")
    partner_jp = _key(system, secretariat_jp, jp_id, "fuzz-jp")["key"]
    partner_in = _key(system, secretariat_jp, in_id, "fuzz-in")["key"]
    auditor = _key(
        system, secretariat_jp, _side(system, secretariat_jp, "JP"), "fuzz-auditor", "auditor"
    )["key"]
    seeded = Seeded(secretariat_jp, secretariat_in, partner_jp, partner_in, auditor)
    programmes = _programmes(system, seeded, jp_id, in_id)
    moving = [_created(system, partner_jp, "/v1/programmes", programme_body(jp_id, in_id))["id"]]
    body = application_body(programmes[0], in_id)
    applications = [_created(system, partner_jp, "/v1/applications", body)["id"] for _ in "abcd"]
    # A key nobody uses, for DELETE /v1/api-keys/{key_id} to revoke.
    spare = _key(system, secretariat_jp, jp_id, "fuzz-spare")["id"]
    seeded.ids = {
        "organisations": [jp_id, in_id],
        "programmes": programmes,
        "applications": applications[:2],
        "moving_programmes": moving,
        "moving_applications": applications[2:],
        "api_keys": [spare],
        **_reporting(system, secretariat_jp),
    }
    return seeded
