"""The lists' ``allowed_action`` filter agrees exactly with ``allowed_actions``: for every
action and every kind of caller (a lead and a member partner, a partner still to answer, an
organisation with no part, both secretariat sides, an auditor), the filtered list is the
unfiltered one's items whose allowed actions hold the action, its total counts them, and
``sort=updated_at`` gives them longest unchanged first. On SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from programmes.domain.transitions import APPLICATION_TRANSITIONS, PROGRAMME_ACTIONS
from programmes.domain.work import queues_of
from tests.integration.programmes.conftest import (
    Caller,
    Partners,
    confirm,
    new_auditor,
    new_key,
    new_organisation,
    programme_body,
    propose,
)
from tests.integration.programmes.test_programmes_applications import (
    application_body,
    approved_programme,
    move,
)

PAGE = 3  # small, so that the filtered lists are read over several pages


@dataclass
class Cast:
    """Who looks at the lists, by name."""

    callers: dict[str, Caller]


def _every_page(caller: Caller, path: str, query: dict[str, Any]) -> tuple[int, list[dict]]:
    """The total the first page states, and every item over all pages."""
    items: list[dict] = []
    page, total = 1, None
    while True:
        answer = caller.get(path, query_string={**query, "page": page, "page_size": PAGE})
        assert answer.status_code == 200, answer.json
        total = answer.json["total"] if total is None else total
        items += answer.json["items"]
        if len(answer.json["items"]) < PAGE:
            return total, items
        page += 1


def _ids(items: list[dict]) -> list[str]:
    return [item["id"] for item in items]


def _programme(partners: Partners, *steps: tuple[Caller, str], **overrides: Any) -> str:
    """A programme proposed by the JP partner and confirmed by the IN one, moved by ``steps``."""
    programme = propose(partners, focus_area="ai_research", **overrides)
    path = f"/v1/programmes/{programme['id']}"
    for caller, action in steps:
        comment = "Please revise." if action in ("request_changes", "reject", "cancel") else None
        answer = move(caller, path, action, comment)
        assert answer.status_code == 200, (action, answer.json)
    return programme["id"]


def _with_member(partners: Partners, member: dict, confirmed: bool) -> str:
    """A draft with ``member`` named as a member besides both leads; confirmed or pending."""
    body = programme_body(partners, focus_area="ai_research")
    body["partners"].append({"organisation_id": member["id"], "role": "member"})
    created = partners.jp_caller.post("/v1/programmes", body)
    assert created.status_code == 201, created.json
    confirm(partners.in_caller, created.json["id"])
    if confirmed:
        confirm(Caller(partners.jp_caller.client, member["key"]), created.json["id"])
    return created.json["id"]


@pytest.fixture
def cast(partners: Partners, secretariat: Caller, secretariat_in: Caller) -> Cast:
    """Programmes and applications in every state the filter tells apart, and their callers."""
    jp_member = new_organisation(secretariat, "JP")
    jp_member["key"] = new_key(secretariat, jp_member["id"])
    asked = new_organisation(secretariat, "IN")
    asked["key"] = new_key(secretariat, asked["id"])
    outsider = new_organisation(secretariat, "IN")
    jp, sec_jp, sec_in = partners.jp_caller, secretariat, secretariat_in
    _programme(partners)  # draft, every partner confirmed
    _with_member(partners, jp_member, confirmed=True)
    _with_member(partners, asked, confirmed=False)
    _programme(partners, (jp, "submit"))
    _programme(partners, (jp, "submit"), (sec_jp, "start_review"))
    _programme(partners, (jp, "submit"), (sec_jp, "start_review"), (sec_jp, "approve"))
    changes = _programme(
        partners, (jp, "submit"), (sec_in, "start_review"), (sec_in, "request_changes")
    )
    # Named while changes are requested: asked to answer in changes_requested.
    body = programme_body(partners, focus_area="ai_research")
    body["partners"].append({"organisation_id": asked["id"], "role": "member"})
    edited = jp.client.patch(
        f"/v1/programmes/{changes}", json={"partners": body["partners"]}, headers=jp.headers()
    )
    assert edited.status_code == 200, edited.json
    _programme(partners, (jp, "submit"), (sec_jp, "start_review"), (sec_in, "reject"))
    _programme(partners, (jp, "withdraw"))
    active = approved_programme(partners, sec_jp, sec_in, slots=1)
    assert move(sec_jp, f"/v1/programmes/{active['id']}", "activate").status_code == 200
    approved = approved_programme(partners, sec_jp, sec_in, slots=2)
    _applications(partners, approved, sec_jp)
    return Cast(
        {
            "jp lead": jp,
            "in lead": partners.in_caller,
            "jp member": Caller(jp.client, jp_member["key"]),
            "asked": Caller(jp.client, asked["key"]),
            "outsider": Caller(jp.client, new_key(secretariat, outsider["id"])),
            "secretariat JP": sec_jp,
            "secretariat IN": sec_in,
            "auditor": new_auditor(secretariat),
        }
    )


def _applications(partners: Partners, programme: dict, secretariat: Caller) -> None:
    """Applications both ways, in every status a caller's actions tell apart."""
    steps_by_status = {
        "draft": [],
        "submitted": [("home", "submit")],
        "endorsed": [("home", "submit"), ("host", "endorse")],
        "waitlisted": [("home", "submit"), ("host", "endorse"), ("sec", "waitlist")],
        "accepted": [("home", "submit"), ("host", "endorse"), ("sec", "accept")],
        "rejected": [("home", "submit"), ("host", "decline_hosting")],
        "withdrawn": [("home", "withdraw")],
    }
    ways = [
        (partners.jp_caller, partners.in_caller, partners.india["id"]),
        (partners.in_caller, partners.jp_caller, partners.jp["id"]),
    ]
    for home, host, host_id in ways:
        for steps in steps_by_status.values():
            filed = home.post("/v1/applications", application_body(programme, host_id))
            assert filed.status_code == 201, filed.json
            path = f"/v1/applications/{filed.json['id']}"
            for who, action in steps:
                caller = {"home": home, "host": host, "sec": secretariat}[who]
                comment = "Not this time." if action == "decline_hosting" else None
                assert move(caller, path, action, comment).status_code == 200, action


def _check(caller: Caller, path: str, actions: list[str]) -> set[str]:
    """Each action's filtered list against the unfiltered one; the actions some item offers."""
    _, everything = _every_page(caller, path, {})
    offered = set()
    for action in actions:
        expected = [item for item in everything if action in item["allowed_actions"]]
        offered |= {action} if expected else set()
        assert _every_page(caller, path, {"allowed_action": action}) == (
            len(expected),
            expected,
        ), action
        oldest_first = sorted(expected, key=lambda item: (item["updated_at"], item["id"]))
        total, items = _every_page(caller, path, {"allowed_action": action, "sort": "updated_at"})
        assert (total, _ids(items)) == (len(expected), _ids(oldest_first)), action
    # Several actions at once, repeated or comma-separated: those offering any of them.
    wanted = set(actions[:3])
    expected = [item for item in everything if wanted & set(item["allowed_actions"])]
    repeated = [("allowed_action", action) for action in sorted(wanted)]
    answer = caller.get(path, query_string=[*repeated, ("page_size", 100)]).json
    assert (answer["total"], _ids(answer["items"])) == (len(expected), _ids(expected))
    commas = {"allowed_action": ",".join(sorted(wanted)), "page_size": 100}
    assert caller.get(path, query_string=commas).json == answer
    return offered


def test_the_programme_filter_is_the_allowed_actions_of_every_caller(cast: Cast):
    offered: set[str] = set()
    for name, caller in cast.callers.items():
        found = _check(caller, "/v1/programmes", PROGRAMME_ACTIONS)
        if name in ("outsider", "auditor"):
            assert not found, name
        offered |= found
        # Combined with another filter: both hold.
        _, drafts = _every_page(caller, "/v1/programmes", {"status": "draft"})
        expected = [item for item in drafts if "submit" in item["allowed_actions"]]
        query = {"status": "draft", "allowed_action": "submit"}
        assert _every_page(caller, "/v1/programmes", query) == (len(expected), expected)
    assert offered == set(PROGRAMME_ACTIONS)


def test_the_application_filter_is_the_allowed_actions_of_every_caller(cast: Cast):
    offered: set[str] = set()
    for name, caller in cast.callers.items():
        found = _check(caller, "/v1/applications", list(APPLICATION_TRANSITIONS))
        if name in ("outsider", "auditor", "jp member", "asked"):
            assert not found, name
        offered |= found
    # Setu offers a freed slot itself: no caller is ever offered offer_slot.
    assert offered == set(APPLICATION_TRANSITIONS) - {"offer_slot"}


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/v1/programmes", {"allowed_action": "fly"}),
        ("/v1/programmes", {"allowed_action": "submit,,endorse"}),
        ("/v1/programmes", {"allowed_action": ""}),
        ("/v1/programmes", {"sort": "title"}),
        ("/v1/applications", {"allowed_action": "approve"}),
        ("/v1/applications", {"sort": "-updated_at"}),
    ],
)
def test_bad_filters_and_orders_answer_422_naming_the_field(
    partners: Partners, path: str, query: dict[str, str]
):
    answer = partners.jp_caller.get(path, query_string=query)
    assert answer.status_code == 422, answer.json
    assert answer.json["code"] == 422
    assert set(answer.json["errors"]) == set(query), answer.json


def test_my_work_is_each_queue_of_the_role_as_its_filtered_list_reads_it(cast: Cast):
    """GET /v1/me/work answers, for each queue of the caller's role, what the list filtered
    by the queue's actions and status answers, longest unchanged first: its total and items."""
    roles = {
        "jp lead": "partner",
        "in lead": "partner",
        "jp member": "partner",
        "asked": "partner",
        "outsider": "partner",
        "secretariat JP": "secretariat",
        "secretariat IN": "secretariat",
        "auditor": "auditor",
    }
    waiting = 0
    for name, caller in cast.callers.items():
        answer = caller.get("/v1/me/work", query_string={"page_size": PAGE})
        assert answer.status_code == 200, answer.json
        queues = [
            (resource, q)
            for resource in ("programmes", "applications")
            for q in answer.json[resource]
        ]
        assert [q["name"] for _, q in queues] == [q.name for q in queues_of(roles[name])], name
        for resource, queue in queues:
            query = {"sort": "updated_at", "page_size": PAGE}
            if queue["status"]:
                query["status"] = queue["status"]
            if queue["allowed_action"]:
                query["allowed_action"] = ",".join(queue["allowed_action"])
            listed = caller.get(f"/v1/{resource}", query_string=query).json
            assert (queue["total"], queue["items"]) == (listed["total"], listed["items"]), (
                name,
                queue["name"],
            )
            waiting += queue["total"]
    assert waiting > 10, "the cast has work waiting for its callers"


@pytest.mark.parametrize("query", [{"page_size": 0}, {"page_size": 101}, {"page_size": "x"}])
def test_my_work_refuses_a_bad_query_with_422(partners: Partners, query: dict[str, Any]):
    answer = partners.jp_caller.get("/v1/me/work", query_string=query)
    assert answer.status_code == 422, answer.json
    assert set(answer.json["errors"]) == set(query), answer.json


def test_a_filtered_total_follows_each_write_it_counts(
    partners: Partners, secretariat: Caller, secretariat_in: Caller
):
    """Totals are kept between writes: an approval, a confirmation and a submission each
    change a filtered total at once, for the callers whose actions they change. (Pages of one,
    so that the totals are the kept ones, not read off a short last page.)"""
    jp, sec_jp, sec_in = partners.jp_caller, secretariat, secretariat_in

    def total(caller: Caller, action: str) -> int:
        query = {"allowed_action": action, "page_size": 1}
        return caller.get("/v1/programmes", query_string=query).json["total"]

    reviewed = [_programme(partners, (jp, "submit"), (sec_jp, "start_review")) for _ in range(3)]
    assert (total(sec_jp, "approve"), total(sec_in, "approve")) == (3, 3)
    assert move(sec_jp, f"/v1/programmes/{reviewed[0]}", "approve").status_code == 200
    assert (total(sec_jp, "approve"), total(sec_in, "approve")) == (2, 3)
    drafts = [jp.post("/v1/programmes", programme_body(partners)).json["id"] for _ in range(3)]
    assert (total(jp, "submit"), total(partners.in_caller, "confirm_participation")) == (0, 3)
    confirm(partners.in_caller, drafts[0])
    assert (total(jp, "submit"), total(partners.in_caller, "confirm_participation")) == (1, 2)
    confirm(partners.in_caller, drafts[1])
    assert total(jp, "submit") == 2
    assert move(jp, f"/v1/programmes/{drafts[0]}", "submit").status_code == 200
    assert total(jp, "submit") == 1
