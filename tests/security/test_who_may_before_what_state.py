"""403 before 409: an action the caller may never take is refused whatever the status; one it
may take, but not now, names the status and what this caller may do; every programme and
application answers with the caller's own ``allowed_actions``, kept or not."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.programmes.conftest import (
    Caller,
    Partners,
    confirm,
    new_auditor,
    programme_body,
    propose,
)
from tests.integration.programmes.test_programmes_applications import (
    application_body,
    approved_programme,
)


def move(caller: Caller, path: str, action: str, comment: str | None = None):
    body = {"action": action} | ({"comment": comment} if comment else {})
    return caller.post(f"{path}/transitions", body)


def actions(caller: Caller, path: str) -> list[str]:
    answer = caller.get(path)
    assert answer.status_code == 200, answer.json
    return answer.json["allowed_actions"]


def listed_actions(caller: Caller, path: str, programme_id: str) -> list[str]:
    items = caller.get(path, query_string={"page_size": 100}).json["items"]
    return next(item["allowed_actions"] for item in items if item["id"] == programme_id)


@pytest.fixture
def draft(partners: Partners) -> dict[str, Any]:
    return propose(partners)


def test_a_partner_asking_to_approve_is_refused_whatever_the_status(
    partners: Partners, secretariat: Caller, draft: dict
):
    path = f"/v1/programmes/{draft['id']}"
    answers = [move(partners.jp_caller, path, "approve")]
    assert move(partners.jp_caller, path, "submit").status_code == 200
    answers.append(move(partners.jp_caller, path, "approve"))
    assert move(secretariat, path, "start_review").status_code == 200
    answers.append(move(partners.jp_caller, path, "approve"))
    assert [a.status_code for a in answers] == [403, 403, 403]
    assert all("allowed actions" not in a.json["message"] for a in answers)


def test_not_from_this_status_names_the_actions_this_caller_may_take(
    partners: Partners, secretariat: Caller, secretariat_in: Caller, draft: dict
):
    path = f"/v1/programmes/{draft['id']}"
    early = move(secretariat, path, "start_review")
    assert early.status_code == 409
    assert early.json["errors"] == {"status": "draft", "allowed_actions": []}
    assert move(partners.jp_caller, path, "submit").status_code == 200
    again = move(partners.jp_caller, path, "submit")
    assert again.status_code == 409
    assert again.json["errors"] == {"status": "submitted", "allowed_actions": ["withdraw"]}
    assert "submitted" in again.json["message"]
    assert move(secretariat, path, "start_review").status_code == 200
    assert move(secretariat, path, "approve").status_code == 200
    twice = move(secretariat, path, "approve")
    assert twice.status_code == 409
    assert twice.json["errors"]["allowed_actions"] == ["request_changes", "reject"]
    assert twice.json["errors"]["approvals"] == ["JP"]


def test_every_programme_answer_carries_the_callers_own_actions(
    partners: Partners, secretariat: Caller, secretariat_in: Caller
):
    created = partners.jp_caller.post("/v1/programmes", programme_body(partners))
    # Not to be submitted before the IN partner has confirmed.
    assert created.json["allowed_actions"] == ["withdraw"]
    path = f"/v1/programmes/{created.json['id']}"
    auditor = new_auditor(secretariat)
    # Each caller twice: the second read is answered from what the process keeps.
    for _ in range(2):
        assert actions(partners.jp_caller, path) == ["withdraw"]
        assert actions(partners.in_caller, path) == [
            "confirm_participation",
            "decline_participation",
        ]
        assert actions(secretariat, path) == []
        assert actions(auditor, path) == []
    assert confirm(partners.in_caller, created.json["id"])["allowed_actions"] == [
        "submit",
        "withdraw",
    ]
    for _ in range(2):
        assert actions(partners.jp_caller, path) == ["submit", "withdraw"]
    submitted = move(partners.jp_caller, path, "submit")
    assert submitted.json["allowed_actions"] == ["withdraw"]
    started = move(secretariat_in, path, "start_review")
    assert started.json["allowed_actions"] == ["request_changes", "approve", "reject"]
    approved = move(secretariat, path, "approve")
    assert approved.json["allowed_actions"] == ["request_changes", "reject"]
    for _ in range(2):
        assert actions(secretariat, path) == ["request_changes", "reject"]
        assert actions(secretariat_in, path) == ["request_changes", "approve", "reject"]
        assert actions(partners.in_caller, path) == ["withdraw"]
        assert actions(auditor, path) == []
        pid = created.json["id"]
        assert listed_actions(secretariat, "/v1/programmes", pid) == ["request_changes", "reject"]
        assert listed_actions(secretariat_in, "/v1/programmes", pid) == [
            "request_changes",
            "approve",
            "reject",
        ]
        assert listed_actions(partners.jp_caller, "/v1/programmes", pid) == ["withdraw"]
        assert listed_actions(auditor, "/v1/programmes", pid) == []


def test_every_application_answer_carries_the_callers_own_actions(
    partners: Partners, secretariat: Caller, secretariat_in: Caller
):
    programme = approved_programme(partners, secretariat, secretariat_in, slots=2)
    body = application_body(programme, partners.india["id"])
    created = partners.jp_caller.post("/v1/applications", body)
    assert created.json["allowed_actions"] == ["submit", "withdraw"]
    path = f"/v1/applications/{created.json['id']}"
    assert actions(partners.in_caller, path) == []
    assert actions(secretariat, path) == []
    host_early = move(partners.in_caller, path, "endorse")
    assert host_early.status_code == 409
    assert host_early.json["errors"] == {"status": "draft", "allowed_actions": []}
    assert move(partners.in_caller, path, "accept").status_code == 403
    submitted = move(partners.jp_caller, path, "submit")
    assert submitted.json["allowed_actions"] == ["withdraw"]
    assert actions(partners.in_caller, path) == ["endorse", "decline_hosting"]
    assert actions(secretariat, path) == ["reject"]
    listed = partners.in_caller.get("/v1/applications").json["items"]
    assert [item["allowed_actions"] for item in listed] == [["endorse", "decline_hosting"]]
    edit = partners.jp_caller.client.patch(
        path, json={"career_stage": "faculty"}, headers=partners.jp_caller.headers()
    )
    assert edit.status_code == 409
    assert edit.json["errors"]["allowed_actions"] == ["withdraw"]
