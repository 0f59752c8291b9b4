"""People in tests: invite one, read its sign-in link as notifications would write it (the
link's id from the event log, its mac under the internal secret), and sign in."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pyotp
from sqlalchemy import Engine, select

from programmes.store.models import outbox
from setu_contract.sign_in import link_token
from tests.support.identity import INTERNAL_SECRET


def latest_link_id(engine: Engine, person_id: str, event_type: str | None = None) -> str:
    """The link id of the person's newest invitation or sign-in event."""
    types = [event_type] if event_type else ["person.invited", "person.sign_in_requested"]
    with engine.connect() as conn:
        payload = conn.execute(
            select(outbox.c.payload)
            .where(outbox.c.aggregate_id == person_id, outbox.c.type.in_(types))
            .order_by(outbox.c.position.desc())
            .limit(1)
        ).scalar_one()
    return payload["data"]["link_id"]


def link_for(engine: Engine, person_id: str) -> str:
    return link_token(INTERNAL_SECRET, latest_link_id(engine, person_id))


def person_body(role: str = "partner", **overrides: Any) -> dict[str, Any]:
    return {
        "name": "田中 裕子",
        "email": f"person-{uuid.uuid4().hex[:8]}@example.org",
        "role": role,
        "language": "ja",
        **overrides,
    }


def totp_now(secret: str) -> str:
    return pyotp.TOTP(secret).now()


def wrong_code(secret: str) -> str:
    """A code that no window around now accepts."""
    totp, now = pyotp.TOTP(secret), time.time()
    right = {totp.at(now + step) for step in (-60, -30, 0, 30, 60)}
    return next(code for code in (f"{n:06d}" for n in range(10**6)) if code not in right)


def signed_in(
    manager: Any, engine: Engine, organisation_id: str, role: str, **overrides: Any
) -> str:
    """A session of a new person of the organisation, added by ``manager`` (a Caller), signed
    in through its invitation, with TOTP enrolled where the role requires it."""
    client = manager.client
    body = person_body(role, **overrides)
    made = manager.post(f"/v1/organisations/{organisation_id}/people", body)
    assert made.status_code == 201, made.json
    opened = client.post("/v1/sessions", json={"token": link_for(engine, made.json["id"])})
    assert opened.status_code == 201, opened.json
    token = opened.json["session"]
    if opened.json["state"] == "totp_enrolment_required":
        headers = {"Authorization": f"Bearer {token}"}
        secret = client.post("/v1/sessions/current/totp-enrolment", json={}, headers=headers).json[
            "secret"
        ]
        confirmed = client.post(
            "/v1/sessions/current/totp-enrolment/confirm",
            json={"code": totp_now(secret)},
            headers=headers,
        )
        assert confirmed.status_code == 200, confirmed.json
    return token
