"""The console's pages of calls for proposals and expert review over a fake API: what they
ask the API, what they show, and what they refuse (the API's 403 and 404 as pages)."""

from __future__ import annotations

import re

from tests.unit.console.fake_api import sign_in
from tests.unit.console.test_console_pages import programme
from tests.unit.console.test_console_safety import csrf_token

CRITERIA = [
    {"key": "merit", "label": "Scientific merit", "weight": 3},
    {"key": "impact", "label": "Impact", "weight": 1},
]


def call(**changes):
    base = {
        "id": "c1",
        "title": "Edge AI chips 2027",
        "description": "Chiplets and packaging for inference at the edge.",
        "focus_areas": ["semiconductor_packaging", "ai_research"],
        "opens_at": "2027-01-10T09:00:00+05:30",
        "closes_at": "2027-03-31T17:00:00+05:30",
        "timezone": "Asia/Kolkata",
        "budget_envelope": {"JPY": "100000000", "INR": "25000000.00"},
        "max_budget_per_programme": None,
        "eligibility": {"organisation_kinds": ["university"], "min_partners": 2},
        "review": {"reviewers_per_proposal": 3, "criteria": CRITERIA, "due_days": 14},
        "status": "open",
        "allowed_actions": ["close"],
    }
    return {**base, **changes}


def review(**changes):
    base = {
        "id": "r1",
        "programme_id": "p1",
        "programme_reference": "JIP-2027-0001",
        "programme_title": "Chiplet packaging for edge AI",
        "call_id": "c1",
        "call_title": "Edge AI chips 2027",
        "criteria": CRITERIA,
        "status": "declaration_due",
        "due_at": "2027-04-14T00:00:00+00:00",
        "reviewer": {"id": "person-r", "name": "Dr. Reviewer", "organisation_id": "panel"},
        "declaration": None,
        "scores": None,
        "weighted_score": None,
        "allowed_actions": ["declare_none", "declare_conflict"],
    }
    return {**base, **changes}


def as_reviewer(client, person_id="person-r"):
    sign_in(client, role="reviewer", organisation_id="panel")
    with client.session_transaction("/console/") as session:
        session["me"] = {**session["me"], "person_id": person_id}


def test_the_call_page_shows_its_rules_its_times_in_the_persons_zone_and_its_actions(client, api):
    sign_in(client, role="secretariat", side="JP", organisation_id="org-jp-sec")
    api.answer("GET", "/v1/calls/c1", 200, call())
    page = {"items": [programme(call_id="c1")], "page": 1, "page_size": 100, "total": 1}
    api.answer("GET", "/v1/programmes", 200, page)
    html = client.get("/console/calls/c1").get_data(as_text=True)
    assert "Edge AI chips 2027" in html and "Semiconductor packaging, AI research" in html
    assert "¥100,000,000" in html and "₹2,50,00,000.00" in html
    # 17:00 in Kolkata is 20:30 in Tokyo, the person's zone; the call's own zone named too.
    assert "31 Mar 2027, 20:30:00 (Japan Standard Time)" in html and "2027-03-31 17:00" in html
    # The call's own zone by its name, not its code.
    assert "(India Standard Time)" in html and "Asia/Kolkata" not in html
    assert "Scientific merit" in html and "University" in html
    assert re.findall(r'name="action" value="([a-z_]+)"', html) == ["close"]
    assert "Close the call now" in html and "JIP-2027-0001" in html
    assert "Ranking of the proposals" in html
    assert api.calls("GET", "/v1/programmes")[0]["args"]["call_id"] == "c1"


def test_the_call_form_sends_the_apis_json_and_shows_its_field_errors_beside_the_fields(
    client, api
):
    sign_in(client, role="secretariat", side="JP")
    errors = {
        "json": {
            "budget_envelope": {"INR": ["Missing data for required field."]},
            "closes_at": ["must be after opens_at"],
        }
    }
    api.answer("POST", "/v1/calls", 422, {"code": 422, "message": "invalid", "errors": errors})
    token = csrf_token(client, "/console/calls/new")
    answer = client.post(
        "/console/calls/new",
        data={
            "csrf_token": token,
            "title": "Edge AI chips 2027",
            "focus_areas": ["ai_research", "semiconductor_design"],
            "timezone": "Asia/Kolkata",
            "opens_at": "2027-01-10 09:00",
            "closes_at": "2027-01-01 09:00",
            "budget_envelope.JPY": "100000000",
            "eligibility.min_partners": "2",
            "review.reviewers_per_proposal": "3",
            "review.due_days": "14",
            "review.criteria.0.label": "Scientific merit",
            "review.criteria.0.weight": "3",
        },
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert api.calls("POST", "/v1/calls")[0]["json"] == {
        "title": "Edge AI chips 2027",
        "description": "",
        "focus_areas": ["ai_research", "semiconductor_design"],
        "opens_at": "2027-01-10T09:00",
        "closes_at": "2027-01-01T09:00",
        "timezone": "Asia/Kolkata",
        "budget_envelope": {"JPY": "100000000", "INR": ""},
        "eligibility": {"min_partners": 2},
        "review": {
            "reviewers_per_proposal": 3,
            "due_days": 14,
            "criteria": [{"key": "criterion_1", "label": "Scientific merit", "weight": 3}],
        },
    }
    assert 'id="budget_envelope-INR-error"' in html and 'id="closes_at-error"' in html
    assert 'href="#closes_at">Closes: must be after opens_at' in html
    assert 'value="Scientific merit"' in html


def test_the_ranking_marks_where_the_envelope_is_reached_in_words(client, api):
    sign_in(client, role="auditor")
    api.answer("GET", "/v1/calls/c1", 200, call(status="closed", allowed_actions=[]))

    def row(rank, reference, mean, jpy, running, within):
        return {
            "rank": rank,
            "programme_id": f"p{rank}",
            "reference": reference,
            "title": f"Proposal {rank}",
            "status": "under_review",
            "weighted_mean": mean,
            "review_count": 2,
            "budget": {"JPY": jpy, "INR": "0.00"},
            "running_total": {"JPY": running, "INR": "0.00"},
            "within_envelope": {"JPY": within, "INR": True},
        }

    ranking = {
        "call_id": "c1",
        "status": "closed",
        "budget_envelope": {"JPY": "100000000", "INR": "25000000.00"},
        "total_requested": {"JPY": "150000000", "INR": "0.00"},
        "envelope_line": {"JPY": 1, "INR": 2},
        "proposals": [
            row(1, "JIP-2027-0002", 4.5, "80000000", "80000000", True),
            row(2, "JIP-2027-0001", 3.25, "70000000", "150000000", False),
        ],
    }
    api.answer("GET", "/v1/calls/c1/ranking", 200, ranking)
    html = client.get("/console/calls/c1/ranking").get_data(as_text=True)
    body = html.split("<tbody>")[1]
    # The line between the last proposal within the JPY envelope and the first past it.
    assert body.index("JIP-2027-0002") < body.index("Envelope reached here")
    assert body.index("Envelope reached here") < body.index("JIP-2027-0001")
    assert "passes the envelope of ¥100,000,000." in body and "over the envelope" in body
    assert body.count("envelope-line") == 1  # INR's envelope holds every proposal
    assert "4.50" in body and "3.25" in body and "¥150,000,000" in body


def test_a_partner_opening_the_ranking_gets_a_refusal_page(client, api):
    sign_in(client, role="partner")
    api.answer("GET", "/v1/calls/c1", 200, call(allowed_actions=[]))
    api.answer("GET", "/v1/calls/c1/ranking", 403, {"code": 403, "message": "only the..."})
    answer = client.get("/console/calls/c1/ranking")
    assert answer.status_code == 403
    assert "You cannot see this page" in answer.get_data(as_text=True)


def test_a_reviewer_declares_first_and_reads_nothing_of_the_proposal_before(client, api):
    as_reviewer(client)
    api.answer("GET", "/v1/reviews/r1", 200, review())
    html = client.get("/console/reviews/r1").get_data(as_text=True)
    assert "First, declare your conflicts of interest" in html
    assert not api.calls("GET", "/v1/reviews/r1/proposal")
    assert "Submit the review" not in html
    # A conflict without its reason: the API's 422 beside the reason.
    api.answer(
        "POST",
        "/v1/reviews/r1/declaration",
        422,
        {"code": 422, "message": "a conflict needs its reason", "errors": {"reason": ["required"]}},
    )
    token = csrf_token(client, "/console/reviews/r1")
    answer = client.post(
        "/console/reviews/r1/declaration",
        data={"csrf_token": token, "declaration": "conflict", "reason": ""},
    )
    assert answer.status_code == 422 and 'id="reason-error"' in answer.get_data(as_text=True)
    assert api.calls("POST", "/v1/reviews/r1/declaration")[0]["json"] == {
        "declaration": "conflict",
        "reason": None,
    }


def test_after_declaring_none_the_proposal_and_the_form_then_the_review_read_only(client, api):
    as_reviewer(client)
    api.answer("GET", "/v1/reviews/r1", 200, review(status="in_progress"))
    api.answer("GET", "/v1/reviews/r1/proposal", 200, programme(call_id="c1"))
    html = client.get("/console/reviews/r1").get_data(as_text=True)
    assert "2.5D packaging." in html and "¥50,000,000" in html
    assert 'id="scores-merit-score"' in html and 'id="scores-impact-comment"' in html
    api.answer(
        "POST",
        "/v1/reviews/r1/submission",
        200,
        review(status="submitted"),
    )
    token = csrf_token(client, "/console/reviews/r1")
    answer = client.post(
        "/console/reviews/r1/submission",
        data={
            "csrf_token": token,
            "scores.merit.score": "4",
            "scores.merit.comment": "Sound.",
            "scores.impact.score": "",
            "scores.impact.comment": "Modest.",
        },
    )
    assert answer.status_code == 303
    assert api.calls("POST", "/v1/reviews/r1/submission")[0]["json"] == {
        "scores": {
            "merit": {"score": 4, "comment": "Sound."},
            "impact": {"score": None, "comment": "Modest."},
        }
    }
    submitted = review(
        status="submitted",
        scores={
            "merit": {"score": 4, "comment": "Sound."},
            "impact": {"score": 2, "comment": "Modest."},
        },
        weighted_score="3.5",
        submitted_at="2027-04-02T00:00:00+00:00",
        allowed_actions=[],
    )
    api.answer("GET", "/v1/reviews/r1", 200, submitted)
    html = client.get("/console/reviews/r1").get_data(as_text=True)
    assert "Submitted review" in html and "Sound." in html and "3.5" in html
    assert "<form" not in html.split("Submitted review")[1].split("Back to My work")[0]


def test_a_reviewer_opening_anothers_review_gets_the_not_found_page(client, api):
    as_reviewer(client, person_id="someone-else")
    answer = client.get("/console/reviews/r9")
    assert answer.status_code == 404 and "Page not found" in answer.get_data(as_text=True)


def test_a_reviewers_my_work_lists_declarations_and_reviews_due(client, api):
    as_reviewer(client)
    items = [
        review(),
        review(id="r2", programme_reference="JIP-2027-0002", status="in_progress"),
        review(id="r3", programme_reference="JIP-2027-0003", status="submitted"),
    ]
    api.answer("GET", "/v1/reviews", 200, {"items": items, "page": 1, "total": 3})
    html = client.get("/console/").get_data(as_text=True)
    declarations = html.split("Declarations of conflicts of interest due")[-1].split("</table>")[0]
    due = html.split("Reviews due")[-1].split("</table>")[0]
    assert re.findall(r"JIP-2027-000\d", declarations) == ["JIP-2027-0001"]
    assert re.findall(r"JIP-2027-000\d", due) == ["JIP-2027-0002"]
    assert "14 Apr 2027" in html and 'href="/console/reviews/r3"' in html
    assert not api.calls("GET", "/v1/programmes")
    # A reviewer's menu: My work and the calls, nothing it could not use.
    assert ">Calls</a>" in html and ">Applications</a>" not in html and ">People</a>" not in html


def test_the_programme_page_shows_its_call_and_the_secretariat_assigns_reviewers(client, api):
    sign_in(client, role="secretariat", side="JP", organisation_id="org-jp-sec")
    api.answer("GET", "/v1/programmes/p1", 200, programme(call_id="c1", approvals=[]))
    api.answer("GET", "/v1/programmes/p1/history", 200, [])
    api.answer("GET", "/v1/calls/c1", 200, call())
    submitted = review(
        status="submitted",
        scores={
            "merit": {"score": 4, "comment": "Sound."},
            "impact": {"score": 2, "comment": "Ok"},
        },
        weighted_score="3.5",
    )
    api.answer("GET", "/v1/programmes/p1/reviews", 200, [submitted])
    api.answer(
        "GET",
        "/v1/organisations",
        200,
        {"items": [{"id": "panel", "name": "AI Panel", "kind": "expert_panel"}], "total": 1},
    )
    people = [
        {"id": "person-r", "name": "Dr. Reviewer", "role": "reviewer", "active": True},
        {"id": "person-s", "name": "Prof. Second", "role": "reviewer", "active": True},
    ]
    api.answer("GET", "/v1/organisations/panel/people", 200, {"items": people, "total": 2})
    html = client.get("/console/programmes/p1").get_data(as_text=True)
    assert 'href="/console/calls/c1"' in html and "Edge AI chips 2027" in html
    # Scores with two decimals, as a column of them lines up.
    assert "Dr. Reviewer" in html and "Weighted mean score: 3.50 out of 5" in html
    options = re.findall(r'<option value="(person-[a-z])"', html)
    assert options == ["person-s"]  # the one assigned already is not offered again
    api.answer(
        "POST",
        "/v1/programmes/p1/reviews",
        409,
        {
            "code": 409,
            "message": "a person of a partner organisation of the programme cannot review it",
        },
    )
    token = csrf_token(client, "/console/programmes/p1")
    answer = client.post(
        "/console/programmes/p1/reviews",
        data={"csrf_token": token, "reviewer_person_id": "person-s"},
    )
    assert answer.status_code == 409
    assert 'id="reviewer_person_id-error"' in answer.get_data(as_text=True)


def test_partners_read_the_reviews_of_their_programme_without_reviewers_names(client, api):
    sign_in(client, organisation_id="org-jp")
    api.answer("GET", "/v1/programmes/p1", 200, programme(call_id="c1", approvals=[]))
    api.answer("GET", "/v1/programmes/p1/history", 200, [])
    api.answer("GET", "/v1/calls/c1", 200, call(allowed_actions=[]))
    anonymous = {
        "id": "review-1",
        "status": "submitted",
        "scores": {"merit": {"score": 4, "comment": "Sound."}},
        "weighted_score": "4",
    }
    # Weights 1 and 2 give a third: the API keeps every digit, the page shows two.
    thirds = {**anonymous, "id": "review-2", "weighted_score": "4.333333333333333333333333333"}
    api.answer("GET", "/v1/programmes/p1/reviews", 200, [anonymous, thirds])
    html = client.get("/console/programmes/p1").get_data(as_text=True)
    assert "Reviewer 1" in html and "Sound." in html
    assert '<td class="numeric">4.00</td>' in html and '<td class="numeric">4.33</td>' in html
    assert "4.333" not in html
    assert "Weighted mean score: 4.17 out of 5" in html  # 4.1666..., rounded once, half up
    assert "Scientific merit: 4/5" in html  # the call's label, not the criterion's key
    assert "Assign this reviewer" not in html and "/console/reviews/" not in html
    assert not api.calls("GET", "/v1/organisations")


def test_a_submission_after_the_call_closed_says_when_in_the_persons_zone(client, api):
    sign_in(client, organisation_id="org-jp")
    api.answer(
        "GET", "/v1/programmes/p1", 200, programme(status="draft", call_id="c1", approvals=[])
    )
    api.answer("GET", "/v1/calls/c1", 200, call(status="closed", allowed_actions=[]))
    api.answer("GET", "/v1/programmes/p1/reviews", 200, [])
    closes_at = "2027-03-31T17:00:00+05:30"
    api.answer(
        "POST",
        "/v1/programmes/p1/transitions",
        409,
        {
            "code": 409,
            "message": f"the call closed at {closes_at} (Asia/Kolkata); it takes no more proposals",
            "errors": {"call_id": "c1", "closes_at": closes_at},
        },
    )
    answer = client.post(
        "/console/programmes/p1/actions",
        data={"action": "submit", "csrf_token": csrf_token(client)},
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 409, [(c["method"], c["path"]) for c in api.received]
    assert (
        "The call this programme answers closed at 31 Mar 2027, 20:30:00 (Japan Standard Time): "
        "it takes no more proposals." in html
    )
    assert "c1</li>" not in html  # the 409's details are not shown as messages


def test_a_call_without_focus_areas_or_criteria_is_told_what_to_do(client, api):
    sign_in(client, role="secretariat", side="JP")
    errors = {
        "focus_areas": ["Length must be between 1 and 10."],
        "review": {"criteria": ["Length must be between 1 and 20."]},
    }
    api.answer("POST", "/v1/calls", 422, {"code": 422, "message": "invalid", "errors": errors})
    answer = client.post(
        "/console/calls/new", data={"csrf_token": csrf_token(client, "/console/calls/new")}
    )
    html = answer.get_data(as_text=True)
    assert "Choose at least one focus area." in html
    assert "Give at least one criterion, with its weight." in html
    assert "Length must be" not in html


def test_a_draft_call_is_edited_in_its_own_time_zone_with_its_version(client, api):
    sign_in(client, role="secretariat", side="JP")
    api.answer(
        "GET", "/v1/calls/c1", 200, call(status="draft", allowed_actions=["edit"]), ETag='"v3"'
    )
    html = client.get("/console/calls/c1/edit").get_data(as_text=True)
    # The call's own local times, as they were entered; its criteria keep their keys.
    assert 'value="2027-01-10 09:00"' in html and 'value="2027-03-31 17:00"' in html
    assert 'name="review.criteria.0.key" value="merit"' in html
    assert 'value="100000000"' in html and "checked" in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    api.answer("PATCH", "/v1/calls/c1", 200, call(status="draft"))
    answer = client.post(
        "/console/calls/c1/edit",
        data={
            "csrf_token": token,
            "etag": '"v3"',
            "title": "Edge AI chips 2027, revised",
            "focus_areas": ["ai_research"],
            "timezone": "Asia/Kolkata",
            "opens_at": "2027-01-10 09:00",
            "closes_at": "2027-03-31 17:00",
            "budget_envelope.JPY": "100000000",
            "budget_envelope.INR": "25000000.00",
            "review.reviewers_per_proposal": "3",
            "review.due_days": "14",
            "review.criteria.0.key": "merit",
            "review.criteria.0.label": "Scientific merit",
            "review.criteria.0.weight": "3",
        },
    )
    assert answer.status_code == 303 and answer.headers["Location"] == "/console/calls/c1"
    sent = api.calls("PATCH", "/v1/calls/c1")[0]
    assert sent["headers"]["If-Match"] == '"v3"'
    assert sent["json"]["title"] == "Edge AI chips 2027, revised"
    assert sent["json"]["max_budget_per_programme"] is None
    assert sent["json"]["review"]["criteria"] == [
        {"key": "merit", "label": "Scientific merit", "weight": 3}
    ]


def test_a_refused_edit_keeps_the_version_the_call_was_opened_at(client, api):
    sign_in(client, role="secretariat", side="JP")
    api.answer("GET", "/v1/calls/c1", 200, call(status="draft", allowed_actions=["edit"]))
    api.answer(
        "PATCH",
        "/v1/calls/c1",
        422,
        {
            "code": 422,
            "message": "invalid",
            "errors": {"title": ["Shorter than minimum length 3."]},
        },
    )
    answer = client.post(
        "/console/calls/c1/edit",
        data={"csrf_token": csrf_token(client), "etag": '"v3"', "title": "E"},
    )
    assert answer.status_code == 422
    assert 'name="etag" value="&#34;v3&#34;"' in answer.get_data(as_text=True)
