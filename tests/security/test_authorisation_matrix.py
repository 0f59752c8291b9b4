"""Every route of the programmes service x every kind of caller, with the status each must get.

Callers: no key, a revoked, an expired key, an auditor key on a partner organisation (made
before auditors were kept to the secretariat: refused), a partner of another organisation,
an auditor of the JP side, an organisation named in a draft and not yet answering, the
partners of the programme (JP, which proposed it, and IN), and the two secretariat sides.

Callers act in the order of ``CALLERS`` on one shared world; a row whose first successful
caller changes the state (a transition, an answer) says what the later callers then get.

The matrix runs twice: with keys, and with signed-in people in their place (a person of each
organisation, of the key's role), who must be answered exactly as the keys are. A reviewer
(a person of an expert panel) is a caller in both.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, insert, update

from programmes.app import create_app
from programmes.config import Config
from programmes.domain.keys import hash_secret, new_secret
from programmes.store.models import ApiKey
from tests.integration.programmes.conftest import (
    Caller,
    Partners,
    new_auditor,
    new_key,
    new_organisation,
    programme_body,
    propose,
    side_organisation,
)
from tests.integration.programmes.test_calls import call_body
from tests.integration.programmes.test_programmes_applications import (
    application_body,
    approved_programme,
)
from tests.support.identity import INTERNAL_SECRET
from tests.support.people import person_body, signed_in

CALLERS = (
    "none",
    "revoked",
    "expired",
    "misfit",
    "other",
    "reviewer",
    "auditor",
    "asked",
    "partner",
    "partner_in",
    "jp",
    "in",
)
UNAUTHENTICATED = {"none": 401, "revoked": 401, "expired": 401, "misfit": 401}


@pytest.fixture
def app(database_url: str, redis_url: str) -> Iterator[Flask]:
    """The API, with failed authentications unlimited: the matrix sends bad keys on purpose
    (their limit has tests of its own)."""
    config = Config(
        database_url,
        redis_url,
        auth_failure_limit="100000/minute",
        internal_secret=INTERNAL_SECRET,
        testing=True,
    )
    flask_app = create_app(config)
    yield flask_app
    flask_app.extensions["programmes.engine"].dispose()


@dataclass
class World:
    callers: dict[str, Caller]
    ids: dict[str, str]
    bodies: dict[str, Any]
    kind: str  # "keys" or "people"


def _partner_key(secretariat: Caller, organisation_id: str, name: str) -> dict[str, Any]:
    answer = secretariat.post(
        f"/v1/organisations/{organisation_id}/api-keys", {"name": name, "role": "partner"}
    )
    assert answer.status_code == 201, answer.json
    return answer.json


def _legacy_auditor_key(engine: Engine, organisation_id: str) -> str:
    """An auditor key on a partner organisation, as could be issued before the rule held."""
    secret = new_secret()
    with engine.begin() as conn:
        conn.execute(
            insert(ApiKey).values(
                id=f"misfit-{secret[-8:]}",
                organisation_id=organisation_id,
                name="legacy auditor",
                role="auditor",
                secret_hash=hash_secret(secret),
                prefix=secret[:12],
            )
        )
    return secret


def _expire(engine: Engine, key_id: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(ApiKey)
            .where(ApiKey.id == key_id)
            .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )


def _programmes(partners: Partners, asked_id: str, jp: Caller, in_side: Caller) -> dict[str, str]:
    draft_body = programme_body(partners)
    draft_body["partners"].append({"organisation_id": asked_id, "role": "member"})
    draft = partners.jp_caller.post("/v1/programmes", draft_body).json
    submitted = propose(partners)
    assert (
        partners.jp_caller.post(
            f"/v1/programmes/{submitted['id']}/transitions", {"action": "submit"}
        ).json["status"]
        == "submitted"
    )
    approved = approved_programme(partners, jp, in_side, slots=5)
    application = partners.jp_caller.post(
        "/v1/applications", application_body(approved, partners.india["id"])
    ).json
    partners.jp_caller.post(
        f"/v1/applications/{application['id']}/transitions", {"action": "submit"}
    )
    exchange = partners.jp_caller.post(
        "/v1/applications", application_body(approved, partners.india["id"])
    ).json
    path = f"/v1/applications/{exchange['id']}/transitions"
    for caller, action in (
        (partners.jp_caller, "submit"),
        (partners.in_caller, "endorse"),
        (jp, "accept"),
    ):
        assert caller.post(path, {"action": action}).status_code == 200
    return {
        "draft": draft["id"],
        "programme": submitted["id"],
        "approved": approved["id"],
        "application": application["id"],
        "exchange": exchange["id"],
        # Checklist items, named in paths as the ids are.
        "insurance": "insurance",
        "housing": "housing",
    }


# The callers a person of the same organisation and role stands in for, in the people run.
AS_PEOPLE = {
    "other": "partner",
    "auditor": "auditor",
    "asked": "partner",
    "partner": "partner",
    "partner_in": "partner",
    "jp": "secretariat",
    "in": "secretariat",
}


@pytest.fixture(params=["keys", "people"])
def world(
    request: pytest.FixtureRequest,
    partners: Partners,
    secretariat: Caller,
    secretariat_in: Caller,
    engine,
) -> World:
    client = secretariat.client
    revoked = _partner_key(secretariat, partners.jp["id"], "old")
    client.delete(f"/v1/api-keys/{revoked['id']}", headers=secretariat.headers())
    expired = _partner_key(secretariat, partners.jp["id"], "exp")
    _expire(engine, expired["id"])
    spare = _partner_key(secretariat, partners.jp["id"], "spare")
    in_side = side_organisation(secretariat, "IN")
    in_spare = secretariat_in.post(
        f"/v1/organisations/{in_side['id']}/api-keys", {"name": "spare", "role": "secretariat"}
    ).json
    other = new_organisation(secretariat, "JP")
    asked = new_organisation(secretariat, "IN")
    ids = _programmes(partners, asked["id"], secretariat, secretariat_in)
    callers = {
        "none": Caller(client, ""),
        "revoked": Caller(client, revoked["key"]),
        "expired": Caller(client, expired["key"]),
        "misfit": Caller(client, _legacy_auditor_key(engine, partners.india["id"])),
        "other": Caller(client, new_key(secretariat, other["id"])),
        "auditor": new_auditor(secretariat),
        "asked": Caller(client, new_key(secretariat, asked["id"])),
        "partner": partners.jp_caller,
        "partner_in": partners.in_caller,
        "jp": secretariat,
        "in": secretariat_in,
    }
    panel = new_organisation(secretariat, "JP", kind="expert_panel")
    callers["reviewer"] = Caller(client, signed_in(secretariat, engine, panel["id"], "reviewer"))
    organisation_of = {
        "other": other["id"],
        "auditor": side_organisation(secretariat, "JP")["id"],
        "asked": asked["id"],
        "partner": partners.jp["id"],
        "partner_in": partners.india["id"],
        "jp": side_organisation(secretariat, "JP")["id"],
        "in": in_side["id"],
    }
    if request.param == "people":
        for name, role in AS_PEOPLE.items():
            manager = secretariat_in if name == "in" else secretariat
            token = signed_in(manager, engine, organisation_of[name], role)
            callers[name] = Caller(client, token)
    ids |= _calls(partners, secretariat, callers["reviewer"], panel["id"])
    person = secretariat.post(f"/v1/organisations/{partners.jp['id']}/people", person_body())
    spare_person = secretariat.post(f"/v1/organisations/{partners.jp['id']}/people", person_body())
    ids |= {
        "person": person.json["id"],
        "spare_person": spare_person.json["id"],
        "jp_org": partners.jp["id"],
        "jp_side": side_organisation(secretariat, "JP")["id"],
        "in_side": in_side["id"],
        "spare_key": spare["id"],
        "in_side_key": in_spare["id"],
    }
    bodies: dict[str, Any] = {
        "partner_person": lambda: person_body("partner"),
        "side_person": lambda: person_body("secretariat"),
        "programme": programme_body(partners),
        "application": application_body({"id": ids["approved"]}, partners.india["id"]),
        "call": call_body(),
    }
    return World(callers, ids, bodies, request.param)


def _calls(
    partners: Partners, secretariat: Caller, reviewer: Caller, panel_id: str
) -> dict[str, str]:
    """A draft call, an open one, a programme answering it under review with the reviewer
    assigned (not yet declared), and another reviewer of the panel to assign."""
    draft = secretariat.post(
        "/v1/calls", call_body(opens_at="2099-01-01T00:00:00", closes_at="2099-02-01T00:00:00")
    ).json
    call = secretariat.post("/v1/calls", call_body()).json
    opened = secretariat.post(f"/v1/calls/{call['id']}/transitions", {"action": "open"})
    assert opened.status_code == 200, opened.json
    answering = propose(partners, call_id=call["id"])
    for action, caller in (("submit", partners.jp_caller), ("start_review", secretariat)):
        moved = caller.post(f"/v1/programmes/{answering['id']}/transitions", {"action": action})
        assert moved.status_code == 200, moved.json
    reviewer_id = reviewer.get("/v1/me").json["person"]["id"]
    review = secretariat.post(
        f"/v1/programmes/{answering['id']}/reviews", {"reviewer_person_id": reviewer_id}
    )
    assert review.status_code == 201, review.json
    spare = secretariat.post(f"/v1/organisations/{panel_id}/people", person_body("reviewer"))
    return {
        "draft_call": draft["id"],
        "call": call["id"],
        "call_programme": answering["id"],
        "review": review.json["id"],
        "spare_reviewer": spare.json["id"],
    }


ORG = {"name": "Matrix Org", "country": "IN", "kind": "company", "contact_email": "m@x.in"}
EDIT = {"preferred_language": "en"}
PARTNER_KEY = {"name": "m", "role": "partner"}
SIDE_KEY = {"name": "m", "role": "secretariat"}
AUDITOR_KEY = {"name": "m", "role": "auditor"}
# A programme or application they take no part in (a reviewer: none assigned to it).
NOT_OURS = {"other": 404, "asked": 404, "reviewer": 404}
READ = {"*": 200, **NOT_OURS}
# Reviewers write nothing here (only their reviews): refused before anything is looked up.
WRITES_REFUSED = {"reviewer": 403}
SECRETARIAT_ONLY = {"*": 403, "jp": 200, "in": 200}
# Answered without a key.
PUBLIC = {"/healthz", "/readyz", "/openapi.json", "/v1/sign-in", "/v1/sessions"}
# What a caller sends a key or a session's own route: only a session has one.
SESSION_ROUTES = {"*": 403}

SCREENING_READERS = {"*": 403, "auditor": 200, "jp": 200, "in": 200}
SCREENING_JP = {
    "jurisdiction": "JP",
    "regime": "FEFTA",
    "classification": "not_listed",
    "basis": "list",
    "outcome": "cleared",
}
SCREENING_IN = {**SCREENING_JP, "jurisdiction": "IN", "regime": "SCOMET"}

# (method, path, body, {caller: status}); callers not named get the row's "*" status.
ROWS: list[tuple[str, str, Any, dict[str, int]]] = [
    ("GET", "/healthz", None, {"*": 200}),
    ("GET", "/readyz", None, {"*": 200}),
    ("GET", "/openapi.json", None, {"*": 200}),
    ("GET", "/internal/authorize", None, {"*": 204}),
    # Organisations: both sides manage partner organisations, each its own record only.
    ("GET", "/v1/organisations", None, {"*": 200}),
    ("GET", "/v1/organisations/{in_side}", None, {"*": 200}),
    ("POST", "/v1/organisations", ORG, {"*": 403, "jp": 201, "in": 201}),
    ("PATCH", "/v1/organisations/{jp_org}", EDIT, SECRETARIAT_ONLY),
    ("PATCH", "/v1/organisations/{jp_side}", EDIT, {"*": 403, "jp": 200}),
    ("PATCH", "/v1/organisations/{in_side}", EDIT, {"*": 403, "in": 200}),
    # Keys: a partner lists and revokes its own; a side manages its own and partners'.
    (
        "GET",
        "/v1/organisations/{jp_org}/api-keys",
        None,
        {"*": 404, "auditor": 200, "partner": 200, "jp": 200, "in": 200},
    ),
    (
        "GET",
        "/v1/organisations/{in_side}/api-keys",
        None,
        {"*": 404, "auditor": 200, "jp": 403, "in": 200},
    ),
    ("POST", "/v1/organisations/{jp_org}/api-keys", PARTNER_KEY, {"*": 403, "jp": 201, "in": 201}),
    ("POST", "/v1/organisations/{jp_org}/api-keys", AUDITOR_KEY, {"*": 403, "jp": 422, "in": 422}),
    ("POST", "/v1/organisations/{in_side}/api-keys", SIDE_KEY, {"*": 403, "in": 201}),
    ("POST", "/v1/organisations/{in_side}/api-keys", AUDITOR_KEY, {"*": 403, "in": 201}),
    (
        "DELETE",
        "/v1/api-keys/{spare_key}",
        None,
        {"*": 404, "auditor": 403, "reviewer": 403, "partner": 204, "jp": 204, "in": 204},
    ),
    (
        "DELETE",
        "/v1/api-keys/{in_side_key}",
        None,
        {"*": 404, "auditor": 403, "reviewer": 403, "jp": 403, "in": 204},
    ),
    # Programmes.
    ("GET", "/v1/programmes", None, {"*": 200}),
    # The creating organisation must be a partner.
    (
        "POST",
        "/v1/programmes",
        "programme",
        {"*": 422, "auditor": 403, "reviewer": 403, "partner": 201, "partner_in": 201},
    ),
    # A named organisation reads the draft it is asked to join.
    ("GET", "/v1/programmes/{draft}", None, {"*": 200, "other": 404, "reviewer": 404}),
    ("GET", "/v1/programmes/{draft}/history", None, {"*": 200, "other": 404, "reviewer": 404}),
    ("GET", "/v1/programmes/{programme}", None, READ),
    # Named but not yet confirmed (asked, partner_in): not a partner yet.
    ("PATCH", "/v1/programmes/{draft}", {"summary": "s"}, {"*": 403, "other": 404, "partner": 200}),
    (
        "POST",
        "/v1/programmes/{draft}/participation",
        {"decision": "confirm"},
        {"*": 403, "other": 404, "reviewer": 404, "asked": 200, "partner_in": 200},
    ),
    (
        "POST",
        "/v1/programmes/{draft}/transitions",
        {"action": "submit"},
        {"*": 403, "other": 404, "asked": 200, "partner": 409, "partner_in": 409},
    ),
    (
        "PATCH",
        "/v1/programmes/{programme}",
        {"summary": "s"},
        {"*": 403, **NOT_OURS, **WRITES_REFUSED, "partner": 409, "partner_in": 409},
    ),
    (
        "POST",
        "/v1/programmes/{programme}/transitions",
        {"action": "start_review"},
        {"*": 403, **NOT_OURS, **WRITES_REFUSED, "jp": 200, "in": 409},
    ),
    # A partner asking to approve is refused whatever the status; the sides approve once each,
    # and the second side's approval of a semiconductor programme waits for its screenings.
    (
        "POST",
        "/v1/programmes/{programme}/transitions",
        {"action": "approve"},
        {"*": 403, **NOT_OURS, **WRITES_REFUSED, "jp": 200, "in": 409},
    ),
    # Export-control screenings: each side records its own; the details are read by the
    # secretariat and auditors only (partners see pending or complete on the programme).
    ("GET", "/v1/programmes/{programme}/screenings", None, SCREENING_READERS),
    ("POST", "/v1/programmes/{programme}/screenings", SCREENING_JP, {"*": 403, "jp": 201}),
    ("POST", "/v1/programmes/{programme}/screenings", SCREENING_IN, {"*": 403, "in": 201}),
    ("GET", "/v1/programmes/{programme}/screenings", None, SCREENING_READERS),
    ("GET", "/v1/screenings/work", None, SCREENING_READERS),
    ("GET", "/v1/programmes/{programme}", None, READ),
    # Applications.
    ("GET", "/v1/applications", None, {"*": 200}),
    (
        "POST",
        "/v1/applications",
        "application",
        {"*": 422, "auditor": 403, "reviewer": 403, "partner": 201, "jp": 403, "in": 403},
    ),
    ("GET", "/v1/applications/{application}", None, READ),
    ("GET", "/v1/applications/{application}/history", None, READ),
    (
        "PATCH",
        "/v1/applications/{application}",
        {"career_stage": "faculty"},
        {"*": 403, **NOT_OURS, **WRITES_REFUSED, "partner": 409},
    ),
    (
        "POST",
        "/v1/applications/{application}/transitions",
        {"action": "endorse"},
        {"*": 403, **NOT_OURS, **WRITES_REFUSED, "partner_in": 200},
    ),
    # The person of an exchange is screened by the host side (India hosts this one).
    ("GET", "/v1/applications/{application}/screenings", None, SCREENING_READERS),
    ("POST", "/v1/applications/{application}/screenings", SCREENING_JP, {"*": 403, "jp": 422}),
    ("POST", "/v1/applications/{application}/screenings", SCREENING_IN, {"*": 403, "in": 201}),
    (
        "DELETE",
        "/v1/applications/{application}/personal-data",
        None,
        {"*": 403, **NOT_OURS, "jp": 204, "in": 204},
    ),
    # Mobility clearance: an accepted exchange's checklist is read by its home and host, the
    # secretariat and auditors; each item is set by the one organisation that keeps it.
    ("GET", "/v1/applications/{exchange}/mobility", None, READ),
    (
        "PUT",
        "/v1/applications/{exchange}/mobility/{insurance}",
        {"status": "arranged"},
        {"*": 403, **NOT_OURS, **WRITES_REFUSED, "partner": 200},
    ),
    (
        "PATCH",
        "/v1/applications/{exchange}/mobility/{housing}",
        {"status": "arranged"},
        {"*": 403, **NOT_OURS, **WRITES_REFUSED, "partner_in": 200},
    ),
    ("GET", "/v1/mobility/pipeline", None, {"*": 403, "auditor": 200, "jp": 200, "in": 200}),
    ("GET", "/v1/events", None, {"*": 403, "auditor": 200, "jp": 200, "in": 200}),
    ("GET", "/v1/events/consumers", None, {"*": 403, "auditor": 200, "jp": 200, "in": 200}),
    # People: an organisation and its own side manage them, never the other side.
    ("GET", "/v1/me", None, {"*": 200}),
    ("GET", "/v1/me/work", None, {"*": 200}),
    ("POST", "/v1/sign-in", {"email": "nobody@example.org"}, {"*": 202}),
    ("POST", "/v1/sessions", {"token": "setul_forged"}, {"*": 401}),
    (
        "GET",
        "/v1/organisations/{jp_org}/people",
        None,
        {"*": 403, "auditor": 200, "partner": 200, "jp": 200, "in": 200},
    ),
    (
        "GET",
        "/v1/organisations/{in_side}/people",
        None,
        {"*": 403, "auditor": 200, "in": 200},
    ),
    (
        "POST",
        "/v1/organisations/{jp_org}/people",
        "partner_person",
        {"*": 403, "partner": 201, "jp": 201, "in": 201},
    ),
    ("POST", "/v1/organisations/{in_side}/people", "side_person", {"*": 403, "in": 201}),
    (
        "GET",
        "/v1/people/{person}",
        None,
        {"*": 404, "auditor": 200, "partner": 200, "jp": 200, "in": 200},
    ),
    (
        "PATCH",
        "/v1/people/{person}",
        {"language": "en"},
        {"*": 404, "auditor": 403, "partner": 200, "jp": 200, "in": 200},
    ),
    (
        "DELETE",
        "/v1/people/{spare_person}/sessions",
        None,
        {"*": 404, "auditor": 403, "partner": 204, "jp": 204, "in": 204},
    ),
    (
        "DELETE",
        "/v1/people/{spare_person}",
        None,
        {"*": 404, "auditor": 403, "partner": 204, "jp": 204, "in": 204},
    ),
    # A key has no session; the people run signs each person in and out in its own tests
    # (tests/integration/programmes/test_programmes_people.py).
    ("GET", "/v1/sessions/current", None, SESSION_ROUTES),
    ("POST", "/v1/sessions/current/totp-enrolment", {}, SESSION_ROUTES),
    ("POST", "/v1/sessions/current/totp-enrolment/confirm", {"code": "1"}, SESSION_ROUTES),
    ("POST", "/v1/sessions/current/totp", {"code": "1"}, SESSION_ROUTES),
    ("DELETE", "/v1/sessions/current", None, SESSION_ROUTES),
]

# Calls: the secretariat writes them; everyone reads them once published; the ranking is
# the secretariat's and the auditors'.
CALL_READERS = {"*": 404, "auditor": 200, "jp": 200, "in": 200}
SCORED = {
    "merit": {"score": 4, "comment": "Sound."},
    "impact": {"score": 3, "comment": "Broad."},
}
# Only the assigned reviewer declares and scores; the secretariat and auditors, who may read
# the review, are refused the act (403); anyone else does not know it exists (404).
REVIEWER_ACTS = {"*": 404, "reviewer": 200, "auditor": 403, "jp": 403, "in": 403}
ROWS += [
    ("GET", "/v1/calls", None, {"*": 200}),
    ("POST", "/v1/calls", "call", {"*": 403, "jp": 201, "in": 201}),
    ("GET", "/v1/calls/{draft_call}", None, CALL_READERS),
    ("GET", "/v1/calls/{call}", None, {"*": 200}),
    ("PATCH", "/v1/calls/{draft_call}", {"title": "Matrix call edited"}, SECRETARIAT_ONLY),
    (
        "POST",
        "/v1/calls/{draft_call}/transitions",
        {"action": "decide"},
        {**SECRETARIAT_ONLY, "jp": 409, "in": 409},
    ),
    ("GET", "/v1/calls/{call}/ranking", None, {"*": 403, "auditor": 200, "jp": 200, "in": 200}),
    # Partners read their proposal's reviews without reviewers; a reviewer reads none here.
    ("GET", "/v1/programmes/{call_programme}/reviews", None, READ),
    (
        "POST",
        "/v1/programmes/{call_programme}/reviews",
        {"reviewer_person_id": "{spare_reviewer}"},
        {"*": 403, "jp": 201, "in": 409},
    ),
    ("GET", "/v1/reviews", None, {"*": 403, "reviewer": 200, "auditor": 200, "jp": 200, "in": 200}),
    ("GET", "/v1/reviews/{review}", None, {**CALL_READERS, "reviewer": 200}),
    # Nothing of the proposal before the declaration, for anyone.
    ("GET", "/v1/reviews/{review}/proposal", None, {"*": 404}),
    ("POST", "/v1/reviews/{review}/declaration", {"declaration": "none"}, REVIEWER_ACTS),
    ("GET", "/v1/reviews/{review}/proposal", None, {"*": 404, "reviewer": 200}),
    ("POST", "/v1/reviews/{review}/submission", {"scores": SCORED}, REVIEWER_ACTS),
]


def _request(world: World, caller: Caller, method: str, path: str, body: Any):
    body = world.bodies.get(body, body) if isinstance(body, str) else body
    body = body() if callable(body) else body
    if isinstance(body, dict):  # ids named in a body, as in a path
        body = {k: v.format(**world.ids) if isinstance(v, str) else v for k, v in body.items()}
    headers = {"Authorization": f"Bearer {caller.key}"} if caller.key else {}
    return caller.client.open(path.format(**world.ids), method=method, json=body, headers=headers)


def test_every_route_answers_every_caller_as_it_must(world: World):
    mismatches = []
    for method, path, body, expected in ROWS:
        for name in CALLERS:
            if expected is SESSION_ROUTES and world.callers[name].key.startswith("setus_"):
                continue
            want = expected.get(name, expected["*"])
            if path not in PUBLIC:
                want = UNAUTHENTICATED.get(name, want)
            answer = _request(world, world.callers[name], method, path, body)
            if answer.status_code != want:
                mismatches.append((method, path, body, name, want, answer.status_code))
    assert mismatches == [], "\n".join(map(str, mismatches))


def _shape(path: str) -> tuple[str, ...]:
    """A path with each parameter as ``*``: /v1/programmes/{draft} and the rule
    /v1/programmes/<string:programme_id> have the same shape."""
    return tuple("*" if part[:1] in "{<" else part for part in path.split("/"))


def test_every_route_of_the_service_is_in_the_matrix(app: Flask):
    routes = {
        (method, _shape(rule.rule))
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
        if rule.endpoint != "static"
    }
    in_matrix = {(method, _shape(path)) for method, path, _, _ in ROWS}
    assert routes - in_matrix == set()
