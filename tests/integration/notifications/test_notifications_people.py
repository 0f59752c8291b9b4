"""Emails to people (issue 29) through Redis and a real worker: the invitation in the person's
language with a sign-in link made as the email is written (no delivery record holds it),
"your approval is awaited" to the other side's secretariat people, and a person's erasure."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import Engine, select

from notifications.store.models import Delivery
from setu_contract.sign_in import link_id_of
from tests.support.identity import INTERNAL_SECRET
from tests.support.infra import wait_until
from tests.support.processes import Process
from tests.support.smtp import SmtpServer
from tests.unit.notifications.factories import event, organisation_data, programme_data


def _written(rows: Any) -> str:
    """Every value of the rows, whole (a row's repr shortens long values)."""
    return json.dumps([dict(row._mapping) for row in rows], default=str, ensure_ascii=False)


def person_data(organisation_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "organisation_id": organisation_id,
        "name": "Ananya Rao",
        "email": f"person-{uuid.uuid4().hex[:8]}@example.in",
        "role": "secretariat",
        "language": "hi",
        "time_zone": "Asia/Kolkata",
        "active": True,
        "totp_enrolled": False,
        "version": 1,
        "created_at": "2026-12-01T00:00:00+00:00",
        **overrides,
    }


def invited(person: dict[str, Any]) -> dict[str, Any]:
    link = {"link_id": str(uuid.uuid4()), "link_expires_at": "2026-12-01T00:15:00+00:00"}
    return event("person.invited", {**person, **link, "next": None})


def test_the_invitation_carries_a_link_no_record_holds(
    notifications_worker: Process, smtp_server: SmtpServer, publish, notifications_db: Engine
) -> None:
    side = organisation_data("IN", kind="secretariat", name="India Secretariat")
    person = person_data(side["id"])
    publish(event("organisation.registered", side))
    invitation = invited(person)
    publish(invitation)
    [message] = smtp_server.wait_for(1)
    assert message["To"] == person["email"] and message["Content-Language"] == "hi"
    text = message.get_body(("plain",)).get_content()
    assert "प्रिय Ananya Rao" in text
    url = next(word for word in text.split() if "/console/sign-in/" in word)
    assert url.startswith("https://setu.test/console/sign-in/setul_")
    token = url.rsplit("/", 1)[1]
    assert link_id_of(INTERNAL_SECRET, token) == invitation["data"]["link_id"]
    with notifications_db.connect() as conn:
        stored = _written(conn.execute(select(Delivery.__table__)))
    assert token not in stored and token.rsplit(".", 1)[1] not in stored, stored


def test_one_sides_approval_asks_the_other_sides_people(
    notifications_worker: Process, smtp_server: SmtpServer, publish, notifications_db: Engine
) -> None:
    jp_side = organisation_data("JP", kind="secretariat")
    in_side = organisation_data("IN", kind="secretariat")
    for organisation in (jp_side, in_side):
        publish(event("organisation.registered", organisation))
    officer = person_data(in_side["id"], language="en")
    auditor = person_data(in_side["id"], role="auditor")
    publish(invited(officer))
    publish(invited(auditor))
    smtp_server.wait_for(2)  # the invitations
    approver = {
        "kind": "person",
        "id": str(uuid.uuid4()),
        "name": "田中 裕子",
        "organisation_id": jp_side["id"],
        "side": "JP",
    }
    programme = programme_data(status="under_review", approvals=["JP"])
    approved = event(
        "programme.updated",
        {**programme, "action": "approve", "comment": "Strong lead.", "actor": approver},
    )
    publish(approved)
    messages = smtp_server.wait_for(3)
    awaited = [m for m in messages if m["X-Setu-Event-Id"] == approved["id"]]
    assert [m["To"] for m in awaited] == [officer["email"]]
    text = awaited[0].get_body(("plain",)).get_content()
    assert "approved by 田中 裕子, JP side" in text and "Strong lead." in text
    assert f"https://setu.test/console/programmes/{programme['id']}" in text
    # The officer's account is deleted: no record keeps its address or name.
    erased = event(
        "person.deactivated",
        {
            "id": officer["id"],
            "organisation_id": in_side["id"],
            "version": 2,
            "erased_at": "2026-12-02T00:00:00+00:00",
            "actor": None,
        },
    )
    publish(erased)
    wait_until(
        lambda: notifications_worker.output().count("succeeded") >= 6,
        message="every event handled",
    )

    def kept() -> str:
        with notifications_db.connect() as conn:
            return _written(conn.execute(select(Delivery.__table__)))

    wait_until(lambda: officer["email"] not in kept(), message="the address erased")
    assert "Ananya Rao" in kept()  # the auditor's invitation, not erased
    # The approver's name stays: it is another person, still active.
    assert "田中 裕子" in kept()
