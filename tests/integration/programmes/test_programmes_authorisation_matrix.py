"""Every endpoint x every kind of caller, with the status each must get.

Callers act in the order of ``CALLERS`` on one shared world; a row whose first successful
caller changes the state (a transition) says what the later callers then get.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from programmes.store.models import ApiKey
from tests.integration.programmes.conftest import (
    Caller,
    Partners,
    new_key,
    new_organisation,
    programme_body,
)
from tests.integration.programmes.test_programmes_applications import (
    application_body,
    approved_programme,
)

CALLERS = ("none", "revoked", "expired", "other", "auditor", "partner", "jp", "in")
UNAUTHENTICATED = {"none": 401, "revoked": 401, "expired": 401}


@dataclass
class World:
    callers: dict[str, Caller]
    ids: dict[str, str]


@pytest.fixture
def world(partners: Partners, secretariat: Caller, secretariat_in: Caller, engine) -> World:
    client = secretariat.client
    other = new_organisation(secretariat, "JP")
    agency = new_organisation(secretariat, "IN", kind="government_agency")
    revoked = secretariat.post(
        f"/v1/organisations/{partners.jp['id']}/api-keys", {"name": "old", "role": "partner"}
    ).json
    client.delete(f"/v1/api-keys/{revoked['id']}", headers=secretariat.headers())
    expired = secretariat.post(
        f"/v1/organisations/{partners.jp['id']}/api-keys", {"name": "exp", "role": "partner"}
    ).json
    with engine.begin() as conn:
        conn.execute(
            update(ApiKey)
            .where(ApiKey.id == expired["id"])
            .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    spare = secretariat.post(
        f"/v1/organisations/{partners.jp['id']}/api-keys", {"name": "spare", "role": "partner"}
    ).json
    submitted = partners.jp_caller.post("/v1/programmes", programme_body(partners)).json
    partners.jp_caller.post(f"/v1/programmes/{submitted['id']}/transitions", {"action": "submit"})
    approved = approved_programme(partners, secretariat, secretariat_in, slots=5)
    application = partners.jp_caller.post(
        "/v1/applications", application_body(approved, partners.india["id"])
    ).json
    partners.jp_caller.post(
        f"/v1/applications/{application['id']}/transitions", {"action": "submit"}
    )
    callers = {
        "none": Caller(client, ""),
        "revoked": Caller(client, revoked["key"]),
        "expired": Caller(client, expired["key"]),
        "other": Caller(client, new_key(secretariat, other["id"])),
        "auditor": Caller(client, new_key(secretariat, agency["id"], role="auditor")),
        "partner": partners.jp_caller,
        "jp": secretariat,
        "in": secretariat_in,
    }
    ids = {
        "jp": partners.jp["id"],
        "programme": submitted["id"],
        "application": application["id"],
        "spare_key": spare["id"],
    }
    return World(callers, ids)


ORG = {"name": "Matrix Org", "country": "IN", "kind": "company", "contact_email": "m@x.in"}

# (method, path, body, {caller: status}); callers not named get the row's "*" status.
ROWS = [
    ("GET", "/v1/organisations", None, {"*": 200}),
    ("GET", "/v1/organisations/{jp}", None, {"*": 200}),
    ("POST", "/v1/organisations", ORG, {"*": 403, "jp": 201, "in": 201}),
    (
        "PATCH",
        "/v1/organisations/{jp}",
        {"preferred_language": "en"},
        {"*": 403, "jp": 200, "in": 200},
    ),
    ("GET", "/v1/organisations/{jp}/api-keys", None, {"*": 200, "other": 404}),
    (
        "POST",
        "/v1/organisations/{jp}/api-keys",
        {"name": "m", "role": "partner"},
        {"*": 403, "jp": 201, "in": 201},
    ),
    ("DELETE", "/v1/api-keys/{spare_key}", None, {"*": 204, "other": 404, "auditor": 403}),
    ("GET", "/v1/programmes", None, {"*": 200}),
    ("POST", "/v1/programmes", "programme", {"*": 422, "auditor": 403, "partner": 201}),
    ("GET", "/v1/programmes/{programme}", None, {"*": 200, "other": 404}),
    (
        "PATCH",
        "/v1/programmes/{programme}",
        {"summary": "s"},
        {"*": 403, "other": 404, "partner": 409},
    ),
    ("GET", "/v1/programmes/{programme}/history", None, {"*": 200, "other": 404}),
    (
        "POST",
        "/v1/programmes/{programme}/transitions",
        {"action": "start_review"},
        {"*": 403, "other": 404, "jp": 200, "in": 409},
    ),
    ("GET", "/v1/applications", None, {"*": 200}),
    ("GET", "/v1/applications/{application}", None, {"*": 200, "other": 404}),
    ("GET", "/v1/applications/{application}/history", None, {"*": 200, "other": 404}),
    (
        "POST",
        "/v1/applications/{application}/transitions",
        {"action": "endorse"},
        {"*": 403, "other": 404},
    ),
    (
        "PATCH",
        "/v1/applications/{application}",
        {"career_stage": "faculty"},
        {"*": 403, "other": 404, "partner": 409},
    ),
    (
        "DELETE",
        "/v1/applications/{application}/personal-data",
        None,
        {"*": 403, "other": 404, "jp": 204, "in": 204},
    ),
    ("GET", "/v1/events", None, {"*": 403, "auditor": 200, "jp": 200, "in": 200}),
    ("GET", "/v1/events/consumers", None, {"*": 403, "auditor": 200, "jp": 200, "in": 200}),
    ("GET", "/internal/authorize", None, {"*": 204}),
]


def _request(world: World, partners: Partners, caller: Caller, method: str, path: str, body):
    if body == "programme":
        body = programme_body(partners)
    headers = {"Authorization": f"Bearer {caller.key}"} if caller.key else {}
    return caller.client.open(path.format(**world.ids), method=method, json=body, headers=headers)


def test_authorisation_matrix(world: World, partners: Partners):
    mismatches = []
    for method, path, body, expected in ROWS:
        for name in CALLERS:
            want = UNAUTHENTICATED.get(name) or expected.get(name, expected["*"])
            answer = _request(world, partners, world.callers[name], method, path, body)
            if answer.status_code != want:
                mismatches.append((method, path, name, want, answer.status_code))
    assert mismatches == []


def test_the_host_endorses(world: World, partners: Partners):
    path = f"/v1/applications/{world.ids['application']}/transitions"
    assert partners.in_caller.post(path, {"action": "endorse"}).status_code == 200
