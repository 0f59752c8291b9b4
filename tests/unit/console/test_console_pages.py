"""The console's pages over a fake API: what they ask the API, and what they show."""

from __future__ import annotations

import re
import threading

import pytest

from tests.unit.console.fake_api import sign_in
from tests.unit.console.test_console_safety import csrf_token

PERSON = {
    "id": "person-1",
    "organisation_id": "org-jp-sec",
    "name": "田中 裕子",
    "role": "secretariat",
    "language": "ja",
    "time_zone": "Asia/Tokyo",
}


def programme(**changes):
    base = {
        "id": "p1",
        "reference": "JIP-2027-0001",
        "title": "Chiplet packaging for edge AI",
        "summary": "2.5D packaging.",
        "focus_area": "semiconductor_packaging",
        "status": "under_review",
        "partners": [
            {
                "organisation_id": "org-jp",
                "role": "lead",
                "name": "Tokyo Lab",
                "country": "JP",
                "participation": "confirmed",
            },
            {
                "organisation_id": "org-in",
                "role": "lead",
                "name": "IIT Madras",
                "country": "IN",
                "participation": "confirmed",
            },
        ],
        "budget": [
            {"organisation_id": "org-jp", "currency": "JPY", "amount": "50000000"},
            {"organisation_id": "org-in", "currency": "INR", "amount": "25000000.00"},
        ],
        "approvals": ["JP"],
        "allowed_actions": ["approve", "request_changes", "reject"],
        "exchange_slots": 10,
        "start_date": "2027-04-01",
        "end_date": "2029-03-31",
        "created_at": "2026-12-01T00:00:00+00:00",
        "updated_at": "2026-12-02T00:00:00+00:00",
    }
    return {**base, **changes}


def test_a_page_asked_for_before_sign_in_comes_back_after_it(client, api):
    answer = client.get("/console/programmes/p1")
    assert answer.headers["Location"] == "/console/sign-in?next=/console/programmes/p1"
    client.get(answer.headers["Location"])
    api.answer("POST", "/v1/sign-in", 202, {"message": "check your email"})
    token = csrf_token(client)
    sent = client.post("/console/sign-in", data={"email": "yuko@jp.example", "csrf_token": token})
    assert sent.headers["Location"] == "/console/check-your-email"
    assert api.calls("POST", "/v1/sign-in")[0]["json"] == {
        "email": "yuko@jp.example",
        "next": "/console/programmes/p1",
    }
    # The link's page spends nothing: only its button (a POST) opens the session.
    page = client.get("/console/sign-in/setul_abc.mac")
    assert page.status_code == 200 and api.calls("POST", "/v1/sessions") == []
    api.answer(
        "POST", "/v1/sessions", 201, {"session": "setus_1.s", "person": PERSON, "state": "active"}
    )
    api.answer(
        "GET",
        "/v1/me",
        200,
        {
            "person": PERSON,
            "organisation": {
                "id": "org-jp-sec",
                "name": "JP secretariat",
                "country": "JP",
                "kind": "secretariat",
                "side": "JP",
            },
            "role": "secretariat",
            "side": "JP",
            "key": None,
        },
    )
    opened = client.post("/console/sign-in/setul_abc.mac", data={"csrf_token": token})
    assert opened.headers["Location"] == "/console/programmes/p1"
    assert api.calls("POST", "/v1/sessions")[0]["json"] == {"token": "setul_abc.mac"}
    assert api.calls("GET", "/v1/me")[0]["authorization"] == "Bearer setus_1.s"


def test_a_used_or_expired_link_says_so_and_offers_a_new_one(client, api):
    api.answer("POST", "/v1/sessions", 410, {"code": 410, "message": "link used or expired"})
    answer = client.post("/console/sign-in/setul_abc.mac", data={"csrf_token": csrf_token(client)})
    assert answer.status_code == 410
    assert "This link has expired" in answer.get_data(as_text=True)


def test_a_secretariat_person_enrols_totp_then_sees_recovery_codes_once(client, api):
    api.answer(
        "POST",
        "/v1/sessions",
        201,
        {"session": "setus_2.s", "person": PERSON, "state": "totp_enrolment_required"},
    )
    token = csrf_token(client)
    answer = client.post("/console/sign-in/setul_abc.mac", data={"csrf_token": token})
    assert answer.headers["Location"] == "/console/two-factor/set-up"
    # Until the second step is done, no other page opens.
    assert client.get("/console/").headers["Location"] == "/console/two-factor"
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>'
    api.answer(
        "POST",
        "/v1/sessions/current/totp-enrolment",
        201,
        {"secret": "JBSWY3DPEHPK3PXP", "otpauth_uri": "otpauth://totp/x", "qr_svg": svg},
    )
    html = client.get("/console/two-factor/set-up").get_data(as_text=True)
    # A new session has a new cookie, and so a new form token.
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert "JBSWY3DPEHPK3PXP" in html and 'src="data:image/svg+xml;base64,' in html
    codes = [f"code-{n}" for n in range(10)]
    api.answer(
        "POST",
        "/v1/sessions/current/totp-enrolment/confirm",
        200,
        {"recovery_codes": codes},
    )
    shown = client.post("/console/two-factor/set-up", data={"code": "123456", "csrf_token": token})
    assert all(code in shown.get_data(as_text=True) for code in codes)
    with client.session_transaction("/console/") as session:
        assert session["state"] == "active"
        assert not any("code-" in str(value) for value in session.values())


def test_a_wrong_totp_code_is_shown_beside_the_field(client, api):
    api.answer(
        "POST", "/v1/sessions", 201, {"session": "s", "person": PERSON, "state": "totp_required"}
    )
    token = csrf_token(client)
    client.post("/console/sign-in/setul_abc.mac", data={"csrf_token": token})
    api.answer("POST", "/v1/sessions/current/totp", 422, {"message": "that code is not right"})
    token = csrf_token(client, "/console/two-factor/code")
    answer = client.post("/console/two-factor/code", data={"code": "000000", "csrf_token": token})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="code-error"' in html and "that code is not right" in html
    assert 'class="error-summary"' in html and 'href="#code"' in html


def test_the_programme_page_shows_the_actions_the_api_allows_and_both_sides(client, api):
    sign_in(client, role="secretariat", side="IN", organisation_id="org-in-sec")
    api.answer("GET", "/v1/programmes/p1", 200, programme())
    api.answer(
        "GET",
        "/v1/programmes/p1/history",
        200,
        [
            {
                "action": "approve",
                "from": "under_review",
                "to": "under_review",
                "actor_organisation_id": "org-jp-sec",
                "comment": "Good plan.",
                "occurred_at": "2026-12-03T01:00:00+00:00",
                "actor": {
                    "kind": "person",
                    "id": "x",
                    "name": "田中 裕子",
                    "side": "JP",
                    "organisation_id": "org-jp-sec",
                },
            },
        ],
    )
    html = client.get("/console/programmes/p1").get_data(as_text=True)
    buttons = re.findall(r'<button[^>]*name="action" value="([a-z_]+)"', html)
    assert buttons == ["approve", "request_changes", "reject"]
    assert "Approved by 田中 裕子" in html and "Good plan." in html
    assert "Japan side" in html and "India side" in html and "Not yet approved by this side" in html
    # Money with its sign and grouping, dates in the person's zone.
    assert "¥50,000,000" in html and "₹2,50,00,000.00" in html
    assert "(Japan Standard Time)" in html and "3 Dec 2026, 10:00:00" in html


@pytest.mark.parametrize("language", ["en", "ja", "hi"])
def test_money_is_written_as_its_own_country_writes_it_in_every_language(client, api, language):
    """Yen with groups of three and rupees in lakhs and crores, on every page as in the
    emails and the reports: a Hindi page wrote yen as JP¥5,00,00,000."""
    sign_in(client, role="secretariat", side="JP", language=language)
    api.answer("GET", "/v1/programmes/p1", 200, programme(status="draft", approvals=[]))
    html = client.get("/console/programmes/p1").get_data(as_text=True)
    assert "¥50,000,000" in html and "₹2,50,00,000.00" in html
    assert "JP¥" not in html and "5,00,00,000" not in html


def test_an_approved_programmes_approvals_and_slots_are_read_at_once(client, api):
    """Its history and its applications are read together, after the programme: each
    read is held until both have arrived, which they do only if neither waits for the other."""
    sign_in(client, role="secretariat", side="JP")
    approved = programme(status="approved", approvals=["JP", "IN"], exchange_slots=3)
    api.answer("GET", "/v1/programmes/p1", 200, approved)
    api.answer("GET", "/v1/programmes/p1/history", 200, [])
    applications = [{"status": "accepted"}, {"status": "waitlisted"}, {"status": "accepted"}]
    api.answer("GET", "/v1/applications", 200, {"items": applications, "page": 1, "total": 3})
    both_arrived = threading.Barrier(2, timeout=5)
    api.before_answer = lambda request: (
        request.path != "/v1/programmes/p1" and (both_arrived.wait())
    )
    html = client.get("/console/programmes/p1").get_data(as_text=True)
    assert api.received[0]["path"] == "/v1/programmes/p1"
    assert api.calls("GET", "/v1/applications")[0]["args"]["programme_id"] == "p1"
    used = re.search(r"<dt>Used</dt><dd>([^<]+)</dd>", html)
    assert used and used.group(1) == "2 / 3"
    assert "<dt>Free</dt><dd>1</dd>" in html and "<dt>Waitlisted</dt><dd>1</dd>" in html


def test_an_action_the_api_refuses_is_explained_beside_the_comment(client, api):
    sign_in(client, role="secretariat", side="JP")
    api.answer("GET", "/v1/programmes/p1", 200, programme(approvals=[]))
    api.answer("GET", "/v1/programmes/p1/history", 200, [])
    api.answer(
        "POST",
        "/v1/programmes/p1/transitions",
        422,
        {"code": 422, "message": "invalid", "errors": {"comment": ["a comment is required"]}},
    )
    answer = client.post(
        "/console/programmes/p1/actions",
        data={"action": "reject", "comment": "", "csrf_token": csrf_token(client)},
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="comment-error"' in html and "a comment is required" in html
    assert api.calls("POST", "/v1/programmes/p1/transitions")[0]["json"] == {
        "action": "reject",
        "comment": None,
    }


def test_an_action_done_goes_back_to_the_page_with_a_message(client, api):
    sign_in(client, role="secretariat", side="IN")
    api.answer("POST", "/v1/programmes/p1/transitions", 200, programme(approvals=["JP", "IN"]))
    answer = client.post(
        "/console/programmes/p1/actions",
        data={"action": "approve", "comment": "Agreed.", "csrf_token": csrf_token(client)},
    )
    assert answer.status_code == 303 and answer.headers["Location"] == "/console/programmes/p1"
    assert api.calls("POST", "/v1/programmes/p1/transitions")[0]["json"] == {
        "action": "approve",
        "comment": "Agreed.",
    }


def test_a_participation_answer_goes_to_its_own_endpoint(client, api):
    sign_in(client, organisation_id="org-in")
    api.answer("POST", "/v1/programmes/p1/participation", 200, programme(status="draft"))
    client.post(
        "/console/programmes/p1/actions",
        data={"action": "confirm_participation", "csrf_token": csrf_token(client)},
    )
    assert api.calls("POST", "/v1/programmes/p1/participation")[0]["json"] == {
        "decision": "confirm"
    }


def test_the_create_form_shows_the_apis_field_errors_beside_the_fields(client, api):
    sign_in(client)
    organisations = [{"id": "org-jp", "name": "Tokyo Lab", "country": "JP"}]
    api.answer("GET", "/v1/organisations", 200, {"items": organisations, "page": 1, "total": 1})
    api.answer(
        "POST",
        "/v1/programmes",
        422,
        {
            "code": 422,
            "message": "invalid",
            "errors": {"json": {"title": ["Shorter than minimum length 5."]}},
        },
    )
    token = csrf_token(client, "/console/programmes/new")
    answer = client.post(
        "/console/programmes/new",
        data={"title": "Tiny", "partner-0-organisation_id": "org-jp", "csrf_token": token},
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "Shorter than minimum length" not in html  # marshmallow's words, not a person's
    assert "Enter at least 5 characters." in html
    assert 'id="title-error"' in html and 'href="#title">Title: Enter at least 5' in html
    assert 'value="Tiny"' in html


def test_too_few_partners_is_said_as_a_choice_of_partner_organisations(client, api):
    sign_in(client)
    organisations = [{"id": "org-jp", "name": "Tokyo Lab", "country": "JP"}]
    api.answer("GET", "/v1/organisations", 200, {"items": organisations, "page": 1, "total": 1})
    errors = {"json": {"partners": ["Length must be between 2 and 20."]}}
    api.answer("POST", "/v1/programmes", 422, {"code": 422, "message": "x", "errors": errors})
    token = csrf_token(client, "/console/programmes/new")
    answer = client.post(
        "/console/programmes/new",
        data={"title": "Chiplets", "partner-0-organisation_id": "org-jp", "csrf_token": token},
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "Length must be" not in html and "length must be" not in html
    assert html.count("Choose between 2 and 20 partner organisations.") == 2  # summary, field


def test_the_language_is_switchable_on_every_page(client, api):
    token = csrf_token(client)
    answer = client.post(
        "/console/language",
        data={"language": "hi", "next": "/console/sign-in", "csrf_token": token},
    )
    assert answer.headers["Location"] == "/console/sign-in"
    html = client.get("/console/sign-in").get_data(as_text=True)
    assert '<html lang="hi">' in html and "सेतु में साइन इन करें" in html


SCREENED_JP = {
    "id": "s1",
    "programme_id": "p1",
    "application_id": None,
    "subject": "programme",
    "jurisdiction": "JP",
    "regime": "FEFTA",
    "classification": "3E001",
    "basis": "list",
    "outcome": "licence_required",
    "licence": {"number": "METI-2027-55", "authority": "METI", "valid_until": "2027-09-30"},
    "notes": "deemed export checked",
    "recorded_by_organisation_id": "org-jp-sec",
    "recorded_by": {"kind": "person", "name": "田中 裕子"},
    "recorded_at": "2026-12-03T01:00:00+00:00",
    "current": True,
    "superseded_at": None,
    "superseded_by_id": None,
}


def test_the_secretariat_sees_both_sides_screenings_and_records_its_own(client, api):
    sign_in(client, role="secretariat", side="IN", organisation_id="org-in-sec")
    screened = programme(screening="pending", holds=["export_licence_expired"])
    api.answer("GET", "/v1/programmes/p1", 200, screened)
    api.answer("GET", "/v1/programmes/p1/history", 200, [])
    api.answer("GET", "/v1/programmes/p1/screenings", 200, {"items": [SCREENED_JP]})
    html = client.get("/console/programmes/p1").get_data(as_text=True)
    assert "Export control" in html and "Screening pending" in html
    assert "Export licence expired" in html
    assert "METI-2027-55" in html and "deemed export checked" in html
    assert "Not yet screened by this side." in html
    # The India side's form, under SCOMET, with DGFT as the authority.
    assert "Record your side's screening (SCOMET)" in html and "(DGFT)" in html
    api.answer("POST", "/v1/programmes/p1/screenings", 201, {**SCREENED_JP, "id": "s2"})
    answer = client.post(
        "/console/programmes/p1/screenings",
        data={
            "outcome": "licence_required",
            "listed": "listed",
            "list_item": "8A",
            "basis": "list",
            "licence_number": "DGFT-9",
            "licence_valid_until": "2028-01-31",
            "notes": "",
            "csrf_token": csrf_token(client),
        },
    )
    assert answer.status_code == 303
    assert api.calls("POST", "/v1/programmes/p1/screenings")[0]["json"] == {
        "jurisdiction": "IN",
        "regime": "SCOMET",
        "classification": "8A",
        "basis": "list",
        "outcome": "licence_required",
        "notes": None,
        "licence": {"number": "DGFT-9", "authority": "DGFT", "valid_until": "2028-01-31"},
    }


@pytest.mark.parametrize(("listed", "beside"), [("", "listed"), ("listed", "list_item")])
def test_a_classification_the_api_refuses_is_said_beside_what_was_left_out(
    client, api, listed, beside
):
    sign_in(client, role="secretariat", side="IN", organisation_id="org-in-sec")
    api.answer("GET", "/v1/programmes/p1", 200, programme(screening="pending", holds=[]))
    api.answer("GET", "/v1/programmes/p1/history", 200, [])
    api.answer("GET", "/v1/programmes/p1/screenings", 200, {"items": []})
    refused = {"code": 422, "message": "x", "errors": {"classification": ["too short"]}}
    api.answer("POST", "/v1/programmes/p1/screenings", 422, refused)
    answer = client.post(
        "/console/programmes/p1/screenings",
        data={"outcome": "cleared", "listed": listed, "list_item": " ", "basis": "list",
              "csrf_token": csrf_token(client)},
    )  # fmt: skip
    assert answer.status_code == 422
    assert api.calls("POST", "/v1/programmes/p1/screenings")[0]["json"]["classification"] == ""
    html = answer.get_data(as_text=True)
    assert f'id="{beside}-error"' in html
    other = "list_item" if beside == "listed" else "listed"
    assert f'id="{other}-error"' not in html


@pytest.mark.parametrize(("language", "words"), [("en", "Not on a control list"), ("ja", "非該当")])
def test_a_classification_on_no_list_is_said_in_words_and_a_list_item_as_it_is(
    client, api, language, words
):
    sign_in(client, role="secretariat", side="IN", organisation_id="org-in-sec", language=language)
    api.answer("GET", "/v1/programmes/p1", 200, programme(screening="pending"))
    api.answer("GET", "/v1/programmes/p1/history", 200, [])
    not_listed = {**SCREENED_JP, "classification": "not_listed", "outcome": "cleared"}
    listed = {**SCREENED_JP, "id": "s2", "jurisdiction": "IN", "regime": "SCOMET"}
    api.answer("GET", "/v1/programmes/p1/screenings", 200, {"items": [not_listed, listed]})
    html = client.get("/console/programmes/p1").get_data(as_text=True)
    assert words in html and "not_listed" not in html.split("<form")[0]
    assert "3E001" in html


def test_a_partner_sees_only_pending_or_complete(client, api):
    sign_in(client, role="partner")
    api.answer("GET", "/v1/programmes/p1", 200, programme(screening="complete", holds=[]))
    api.answer("GET", "/v1/programmes/p1/history", 200, [])
    html = client.get("/console/programmes/p1").get_data(as_text=True)
    assert "Screening complete" in html
    assert not api.calls("GET", "/v1/programmes/p1/screenings")
    assert "Record the screening" not in html


def test_the_host_side_screens_the_person_of_an_exchange_on_its_page(client, api):
    sign_in(client, role="secretariat", side="IN", organisation_id="org-in-sec")
    application = {
        "id": "a1",
        "reference": "TEX-2027-00001",
        "programme_id": "p1",
        "programme_reference": "JIP-2027-0001",
        "applicant": {"full_name": "Sato Hana"},
        "career_stage": "phd",
        "home_organisation_id": "org-jp",
        "host_organisation_id": "org-in",
        "direction": "JP_TO_IN",
        "start_date": "2027-06-01",
        "end_date": "2027-11-30",
        "statement": "Thermal models.",
        "status": "endorsed",
        "allowed_actions": ["accept", "waitlist", "reject"],
    }
    api.answer("GET", "/v1/applications/a1", 200, application)
    api.answer("GET", "/v1/applications/a1/history", 200, [])
    api.answer("GET", "/v1/programmes/p1", 200, programme(screening="complete", holds=[]))
    api.answer("GET", "/v1/applications/a1/screenings", 200, {"items": []})
    html = client.get("/console/applications/a1").get_data(as_text=True)
    assert "screened by the host side (India, SCOMET)" in html
    assert "Screening pending" in html and "Record your side's screening (SCOMET)" in html
    api.answer("POST", "/v1/applications/a1/screenings", 201, {**SCREENED_JP, "id": "s3"})
    answer = client.post(
        "/console/applications/a1/screenings",
        data={"outcome": "cleared", "listed": "not_listed", "list_item": "ignored",
              "basis": "list", "csrf_token": csrf_token(client)},
    )  # fmt: skip
    assert answer.status_code == 303
    sent = api.calls("POST", "/v1/applications/a1/screenings")[0]["json"]
    assert sent["jurisdiction"] == "IN" and sent["regime"] == "SCOMET" and "licence" not in sent
    assert sent["classification"] == "not_listed"
    # The JP side sees it, without the form.
    sign_in(client, role="secretariat", side="JP", organisation_id="org-jp-sec")
    html = client.get("/console/applications/a1").get_data(as_text=True)
    assert "Screening pending" in html and "Record the screening" not in html


HELD = {
    "code": 409,
    "status": "Conflict",
    "message": "cannot approve until the screenings are cleared or licensed: missing IN "
    "(SCOMET): not recorded; allowed actions: request_changes, approve, reject",
    "errors": {
        "status": "under_review",
        "allowed_actions": ["request_changes", "approve", "reject"],
        "missing_screenings": [
            {"jurisdiction": "IN", "regime": "SCOMET", "reason": "not recorded"}
        ],
        "denied_screenings": [],
    },
}


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "This waits for export-control screening. India side (SCOMET): not recorded yet."),
        ("ja", "輸出管理の審査を待っています。インド側（SCOMET）：まだ記録されていません。"),  # noqa: RUF001
    ],
)
def test_an_approval_held_by_export_control_is_said_in_the_person_s_language(
    client, api, language, said
):
    sign_in(client, role="secretariat", side="IN")
    token = csrf_token(client)
    client.post(
        "/console/language", data={"language": language, "next": "/console/", "csrf_token": token}
    )
    api.answer("GET", "/v1/programmes/p1", 200, programme(approvals=["JP"]))
    api.answer("GET", "/v1/programmes/p1/history", 200, [])
    api.answer("GET", "/v1/programmes/p1/screenings", 200, [])
    api.answer("POST", "/v1/programmes/p1/transitions", 409, HELD)
    answer = client.post(
        "/console/programmes/p1/actions",
        data={"action": "approve", "comment": "", "csrf_token": csrf_token(client)},
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert said in html, html
    assert "allowed actions:" not in html and "not recorded;" not in html
