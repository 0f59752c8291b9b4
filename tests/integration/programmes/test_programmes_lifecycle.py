"""A programme's whole life: edits with ETags, the transition table, co-approval, history."""

from __future__ import annotations

from sqlalchemy import select

from programmes.schemas import ProgrammeSchema
from programmes.store.models import outbox
from tests.integration.programmes.conftest import (
    Caller,
    Partners,
    confirm,
    new_auditor,
    new_key,
    new_organisation,
    programme_body,
    propose,
    unanswered,
)


def move(caller: Caller, programme_id: str, action: str, comment: str | None = None):
    body = {"action": action} | ({"comment": comment} if comment else {})
    return caller.post(f"/v1/programmes/{programme_id}/transitions", body)


def patch(caller: Caller, path: str, body: dict, etag: str | None = None):
    headers = caller.headers({"If-Match": etag} if etag else None)
    return caller.client.patch(path, json=body, headers=headers)


def test_edit_with_if_match_and_stale_if_match_is_412(partners: Partners):
    created = partners.jp_caller.post("/v1/programmes", programme_body(partners))
    path = f"/v1/programmes/{created.json['id']}"
    etag = created.headers["ETag"]
    assert partners.jp_caller.get(path).headers["ETag"] == etag
    unchanged = partners.jp_caller.get(path, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.headers["ETag"] == etag
    # The IN partner's confirmation changes the programme (its partners' answers).
    confirmed = partners.in_caller.post(f"{path}/participation", {"decision": "confirm"})
    assert confirmed.json["version"] == 2 and confirmed.headers["ETag"] != etag
    edited = patch(
        partners.in_caller,
        path,
        {"title": "Chiplets, revised", "exchange_slots": 3},
        confirmed.headers["ETag"],
    )
    assert edited.status_code == 200, edited.json
    assert edited.json["title"] == "Chiplets, revised" and edited.json["version"] == 3
    assert edited.headers["ETag"] != etag
    stale = patch(partners.jp_caller, path, {"title": "Someone else's edit"}, etag)
    assert stale.status_code == 412 and stale.json["code"] == 412
    assert partners.jp_caller.get(path).json["title"] == "Chiplets, revised"


def test_edits_are_checked_whole_and_only_while_editable(partners: Partners, secretariat: Caller):
    programme = propose(partners)
    path = f"/v1/programmes/{programme['id']}"
    bad = patch(partners.jp_caller, path, {"end_date": "2027-01-01"})
    assert bad.status_code == 422 and "end_date" in bad.json["errors"]
    assert patch(partners.jp_caller, path, {}).status_code == 422
    assert patch(secretariat, path, {"title": "Secretariat edit"}).status_code == 403
    assert move(partners.jp_caller, programme["id"], "submit").status_code == 200
    locked = patch(partners.jp_caller, path, {"title": "Too late now"})
    assert locked.status_code == 409 and locked.json["errors"]["status"] == "submitted"


def test_full_review_with_co_approval_by_both_sides(
    partners: Partners, secretariat: Caller, secretariat_in: Caller, engine
):
    # Not a controlled area: no export-control screening holds it (test_screenings).
    pid = propose(partners, focus_area="ai_research")["id"]
    assert move(partners.jp_caller, pid, "submit").json["status"] == "submitted"
    assert move(partners.jp_caller, pid, "start_review").status_code == 403
    assert move(secretariat, pid, "start_review").json["status"] == "under_review"
    no_comment = move(secretariat, pid, "request_changes")
    assert no_comment.status_code == 422 and "comment" in no_comment.json["errors"]
    changes = move(secretariat, pid, "request_changes", "Add the IN budget breakdown")
    assert changes.json["status"] == "changes_requested"
    assert move(partners.in_caller, pid, "submit").status_code == 200
    assert move(secretariat_in, pid, "start_review").status_code == 200

    first = move(secretariat, pid, "approve")
    assert first.status_code == 200
    assert first.json["status"] == "under_review" and first.json["approvals"] == ["JP"]
    twice = move(secretariat, pid, "approve")
    assert twice.status_code == 409 and twice.json["errors"]["approvals"] == ["JP"]
    second = move(secretariat_in, pid, "approve")
    assert second.json["status"] == "approved" and sorted(second.json["approvals"]) == ["IN", "JP"]
    assert move(secretariat, pid, "activate").json["status"] == "active"
    assert move(secretariat, pid, "complete").json["status"] == "completed"
    done = move(secretariat, pid, "cancel", "no")
    assert done.status_code == 409 and done.json["errors"]["allowed_actions"] == []

    history = partners.jp_caller.get(f"/v1/programmes/{pid}/history").json
    assert [(h["action"], h["from"], h["to"]) for h in history] == [
        ("submit", "draft", "submitted"),
        ("start_review", "submitted", "under_review"),
        ("request_changes", "under_review", "changes_requested"),
        ("submit", "changes_requested", "submitted"),
        ("start_review", "submitted", "under_review"),
        ("approve", "under_review", "under_review"),
        ("approve", "under_review", "approved"),
        ("activate", "approved", "active"),
        ("complete", "active", "completed"),
    ]
    assert history[2]["comment"] == "Add the IN budget breakdown"
    with engine.connect() as conn:
        types = conn.execute(
            select(outbox.c.type, outbox.c.aggregate_version)
            .where(outbox.c.aggregate_id == pid)
            .order_by(outbox.c.position)
        ).all()
    # The first side's approval is an update (approvals changed), not a status change.
    assert [t for t, _ in types].count("programme.status_changed") == 8
    assert [t for t, _ in types].count("programme.updated") == 1
    versions = [v for _, v in types]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)


def test_approvals_restart_after_changes_are_requested(
    partners: Partners, secretariat: Caller, secretariat_in: Caller
):
    pid = propose(partners)["id"]
    move(partners.jp_caller, pid, "submit")
    move(secretariat, pid, "start_review")
    assert move(secretariat, pid, "approve").json["approvals"] == ["JP"]
    assert move(secretariat_in, pid, "request_changes", "fix").json["approvals"] == []


def test_withdraw_is_for_lead_partners_and_cancel_needs_the_secretariat(
    partners: Partners, secretariat: Caller
):
    member_org = new_organisation(secretariat, "IN")
    member = Caller(secretariat.client, new_key(secretariat, member_org["id"]))
    body = programme_body(partners)
    body["partners"].append({"organisation_id": member_org["id"], "role": "member"})
    pid = propose(partners, body)["id"]
    confirm(member, pid)
    assert move(member, pid, "withdraw").status_code == 403
    assert move(member, pid, "submit").status_code == 200
    withdrawn = move(partners.in_caller, pid, "withdraw")
    assert withdrawn.json["status"] == "withdrawn"


def test_auditors_read_everything_and_write_nothing(partners: Partners, secretariat: Caller):
    auditor = new_auditor(secretariat)
    pid = partners.jp_caller.post("/v1/programmes", programme_body(partners)).json["id"]
    assert auditor.get(f"/v1/programmes/{pid}").status_code == 200
    assert auditor.get(f"/v1/programmes/{pid}/history").status_code == 200
    assert move(auditor, pid, "submit").status_code == 403
    assert auditor.post("/v1/programmes", programme_body(partners)).status_code == 403
    assert patch(auditor, f"/v1/programmes/{pid}", {"title": "Audited edit"}).status_code == 403


def test_list_filters_q_and_pagination(partners: Partners, secretariat: Caller):
    other = new_organisation(secretariat, "JP")
    other_caller = Caller(secretariat.client, new_key(secretariat, other["id"]))
    mine = [
        partners.jp_caller.post(
            "/v1/programmes", programme_body(partners, title=f"Edge AI wafer study {n}")
        ).json
        for n in range(3)
    ]
    agri = propose(partners, title="Paddy yield forecasting", focus_area="ai_agriculture")
    move(partners.jp_caller, agri["id"], "submit")

    page = partners.jp_caller.get("/v1/programmes", query_string={"page_size": 2}).json
    assert (page["total"], page["page"], page["page_size"], len(page["items"])) == (4, 1, 2, 2)
    page2 = partners.jp_caller.get("/v1/programmes", query_string={"page_size": 2, "page": 2}).json
    assert {p["id"] for p in page["items"] + page2["items"]} == {p["id"] for p in [*mine, agri]}
    assert other_caller.get("/v1/programmes").json["total"] == 0

    def ids(**query) -> set[str]:
        return {
            p["id"] for p in secretariat.get("/v1/programmes", query_string=query).json["items"]
        }

    assert ids(status="submitted") == {agri["id"]}
    assert ids(focus_area="ai_agriculture") == {agri["id"]}
    assert ids(q="WAFER") == {p["id"] for p in mine}
    assert ids(q=agri["reference"]) == {agri["id"]}
    assert ids(organisation_id=other["id"]) == set()
    assert len(ids(organisation_id=partners.india["id"])) == 4


def test_reads_show_each_programme_as_its_last_write_answered(
    partners: Partners, secretariat: Caller, secretariat_in: Caller
):
    """Reads (one programme, a list page) are one statement each, with the parts as JSON,
    and a page is sent without a second dump. They must still say what the last write on
    the programme answered (built from the ORM's objects), parts in order, approvals and all,
    and in ProgrammeSchema's shape."""
    declared = {"controlled_items_expected": False, "description": "design tools only"}
    approved = propose(partners, focus_area="ai_research", technology_transfer=declared)["id"]
    move(partners.jp_caller, approved, "submit")
    move(secretariat, approved, "start_review")
    move(secretariat, approved, "approve")
    last_answer = {approved: move(secretariat_in, approved, "approve").json}
    three_partners = programme_body(partners, budget=[])
    # A name that JSON must escape, in a script other than Latin: read back as written.
    extra = secretariat.post(
        "/v1/organisations",
        {
            "name": '東京工業大学 "Tokyo Tech" \\ 半導体 🚀',
            "country": "JP",
            "kind": "university",
            "contact_email": "office@titech.example.org",
        },
    ).json
    three_partners["partners"].append({"organisation_id": extra["id"], "role": "member"})
    # Given against the order of their ids (the partners table's key), so that a read that
    # loses the given order shows it.
    three_partners["partners"].sort(key=lambda p: p["organisation_id"], reverse=True)
    for body in (three_partners, programme_body(partners)):
        answer = partners.jp_caller.post("/v1/programmes", body).json
        last_answer[answer["id"]] = answer

    page = partners.jp_caller.get("/v1/programmes").json
    assert [item["id"] for item in page["items"]] == list(reversed(last_answer))
    for item in page["items"]:
        assert unanswered(item) == unanswered(last_answer[item["id"]])
        assert partners.jp_caller.get(f"/v1/programmes/{item['id']}").json == item
        assert ProgrammeSchema().dump(item) == item
    shown = {item["id"]: item for item in page["items"]}
    assert shown[approved]["approvals"] == ["JP", "IN"]
    assert [len(item["partners"]) for item in page["items"]] == [2, 3, 2]
    in_order = [p["organisation_id"] for p in three_partners["partners"]]
    assert [p["organisation_id"] for p in page["items"][1]["partners"]] == in_order
    assert [len(item["budget"]) for item in page["items"]] == [2, 0, 2]
    assert extra["name"] in [p["name"] for p in page["items"][1]["partners"]]


def test_an_edit_checks_each_partner_and_budget_line_whole(partners: Partners):
    programme = partners.jp_caller.post("/v1/programmes", programme_body(partners)).json
    path = f"/v1/programmes/{programme['id']}"
    for body, field in (
        (
            {
                "partners": [
                    {"role": "lead"},
                    {"organisation_id": partners.india["id"], "role": "lead"},
                ]
            },
            "partners",
        ),
        ({"budget": [{"currency": "JPY", "amount": "5"}]}, "budget"),
        (
            {"budget": [{"organisation_id": partners.jp["id"], "currency": "JPY", "amount": "-5"}]},
            "budget",
        ),
    ):
        answer = patch(partners.jp_caller, path, body)
        assert answer.status_code == 422, answer.json
        assert field in answer.json["errors"]
    assert partners.jp_caller.get(path).json["version"] == programme["version"]


def _every_page(caller: Caller, path: str, query: dict) -> tuple[int, list[str]]:
    """The total the first page states, and every id over all pages, newest first."""
    ids, page, total = [], 1, None
    while True:
        answer = caller.get(path, query_string={**query, "page": page, "page_size": 2}).json
        total = answer["total"] if total is None else total
        ids += [item["id"] for item in answer["items"]]
        if len(answer["items"]) < 2:
            return total, ids
        page += 1


def test_list_totals_count_exactly_what_the_pages_hold(partners: Partners, secretariat: Caller):
    """Each way of counting (everything, one organisation's, filtered) agrees with the pages."""
    other = new_organisation(secretariat, "IN")
    other_caller = Caller(secretariat.client, new_key(secretariat, other["id"]))
    created = [
        partners.jp_caller.post("/v1/programmes", programme_body(partners)).json for _ in range(3)
    ]
    elsewhere = programme_body(partners)
    elsewhere["partners"][1]["organisation_id"] = other["id"]
    elsewhere["budget"][1]["organisation_id"] = other["id"]
    created.append(partners.jp_caller.post("/v1/programmes", elsewhere).json)
    newest_first = [p["id"] for p in reversed(created)]
    cases = [
        (secretariat, {}, newest_first),
        (partners.jp_caller, {}, newest_first),
        (partners.in_caller, {}, newest_first[1:]),
        (other_caller, {}, newest_first[:1]),
        (partners.jp_caller, {"organisation_id": other["id"]}, newest_first[:1]),
        (secretariat, {"organisation_id": partners.india["id"]}, newest_first[1:]),
        (partners.in_caller, {"status": "draft"}, newest_first[1:]),
    ]
    for caller, query, expected in cases:
        assert _every_page(caller, "/v1/programmes", query) == (len(expected), expected), query


def test_a_partner_added_by_an_edit_lists_the_programme_at_its_creation(
    partners: Partners, secretariat: Caller
):
    """A partner's own list is paged by the creation time its partner rows keep: a partner
    added later lists the programme where its creation puts it, not where the edit does."""
    other = new_organisation(secretariat, "IN")
    other_caller = Caller(secretariat.client, new_key(secretariat, other["id"]))
    oldest = partners.jp_caller.post("/v1/programmes", programme_body(partners)).json
    joined = programme_body(partners)
    joined["partners"][1]["organisation_id"] = other["id"]
    joined["budget"][1]["organisation_id"] = other["id"]
    newer = [partners.jp_caller.post("/v1/programmes", joined).json for _ in range(2)]

    body = programme_body(partners)
    body["partners"].append({"organisation_id": other["id"], "role": "member"})
    path = f"/v1/programmes/{oldest['id']}"
    etag = partners.jp_caller.get(path).headers["ETag"]
    edited = patch(partners.jp_caller, path, {"partners": body["partners"]}, etag)
    assert edited.status_code == 200, edited.json
    newest_first = [newer[1]["id"], newer[0]["id"], oldest["id"]]
    assert _every_page(other_caller, "/v1/programmes", {}) == (3, newest_first)
    assert _every_page(partners.jp_caller, "/v1/programmes", {}) == (3, newest_first)
    assert _every_page(partners.in_caller, "/v1/programmes", {}) == (1, [oldest["id"]])
    # The same order as the secretariat's whole list, read from the programmes.
    assert _every_page(secretariat, "/v1/programmes", {}) == (3, newest_first)
