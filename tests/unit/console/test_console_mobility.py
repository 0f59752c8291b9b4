"""The mobility checklist on the exchange's page and the secretariat's pipeline, over a fake
API: what the pages ask the API and what they show, in the person's language."""

from __future__ import annotations

import re

import pytest

from tests.unit.console.fake_api import FakeApi, sign_in
from tests.unit.console.test_console_safety import csrf_token

APPLICATION = {
    "id": "a1",
    "reference": "TEX-2027-00001",
    "programme_id": "p1",
    "programme_reference": "JIP-2027-0001",
    "applicant": {"full_name": "Priya Sharma", "email": "p@example.in", "nationality": "IN"},
    "career_stage": "phd",
    "home_organisation_id": "org-in",
    "host_organisation_id": "org-jp",
    "direction": "IN_TO_JP",
    "start_date": "2027-04-01",
    "end_date": "2027-09-28",
    "statement": "Packaging research.",
    "status": "accepted",
    "allowed_actions": ["withdraw"],
}


def item(name: str, statuses: list[str], kept_by: str, may_set: bool, **changes) -> dict:
    return {
        "item": name,
        "status": "pending",
        "date": None,
        "statuses": ["pending", *statuses],
        "actual_date": ["arrived"] if name == "arrival" else [],
        "kept_by": kept_by,
        "set_by": None,
        "set_at": None,
        "may_set": may_set,
        **changes,
    }


def checklist(may_set: bool = True) -> dict:
    return {
        "application_id": "a1",
        "reference": "TEX-2027-00001",
        "direction": "IN_TO_JP",
        "status": "accepted",
        "stage": "visa",
        "planned_arrival": "2027-04-01",
        "planned_departure": "2027-09-28",
        "actual_arrival": None,
        "actual_departure": None,
        "items": [
            item(
                "certificate_of_eligibility",
                ["applied", "issued", "refused"],
                "host",
                may_set,
                status="issued",
                date="2027-01-10",
                set_by={
                    "kind": "person",
                    "id": "x",
                    "name": "佐藤 健",
                    "organisation_id": "org-jp",
                },
                set_at="2027-01-10T02:00:00+00:00",
            ),
            item("visa", ["applied", "issued", "refused"], "home", False),
            item("arrival", ["arrived"], "host", may_set),
        ],
    }


@pytest.fixture
def api() -> FakeApi:
    answers = FakeApi()
    answers.answer("GET", "/v1/applications/a1", 200, APPLICATION)
    answers.answer("GET", "/v1/applications/a1/history", 200, [])
    answers.answer("GET", "/v1/applications/a1/mobility", 200, checklist())
    answers.answer(
        "GET",
        "/v1/organisations/org-jp",
        200,
        {"id": "org-jp", "name": "Tokyo Lab", "kind": "university", "country": "JP"},
    )
    return answers


def test_the_exchange_page_shows_its_checklist_with_who_set_what_and_when(client, api):
    sign_in(client, organisation_id="org-jp")
    html = client.get("/console/applications/a1").get_data(as_text=True)
    assert "Mobility checklist" in html and "Certificate of Eligibility" in html
    assert "佐藤 健" in html and "Tokyo Lab" in html
    # A form only on the items this person's organisation keeps (the API's may_set).
    forms = re.findall(r'action="/console/applications/a1/mobility/([a-z_]+)"', html)
    assert forms == ["certificate_of_eligibility", "arrival"]
    assert "Planned: 1 April 2027" in html


def test_an_item_set_goes_to_the_api_and_back_to_the_page(client, api):
    sign_in(client, organisation_id="org-jp")
    api.answer("PATCH", "/v1/applications/a1/mobility/arrival", 200, checklist())
    answer = client.post(
        "/console/applications/a1/mobility/arrival",
        data={"status": "arrived", "date": "2027-04-02", "csrf_token": csrf_token(client)},
    )
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/console/applications/a1#mobility"
    sent = api.calls("PATCH", "/v1/applications/a1/mobility/arrival")[0]["json"]
    assert sent == {"status": "arrived", "date": "2027-04-02"}


def test_a_refused_item_is_explained_beside_its_field(client, api):
    sign_in(client, organisation_id="org-jp")
    api.answer(
        "PATCH",
        "/v1/applications/a1/mobility/arrival",
        422,
        {
            "code": 422,
            "message": "arrival cannot be set so",
            "errors": {"date": ["an actual date cannot be in the future"]},
        },
    )
    answer = client.post(
        "/console/applications/a1/mobility/arrival",
        data={"status": "arrived", "date": "2099-01-01", "csrf_token": csrf_token(client)},
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="mobility-arrival-date-error"' in html
    assert "an actual date cannot be in the future" in html
    assert 'value="2099-01-01"' in html  # the refused date shown again to be corrected


def test_no_checklist_before_acceptance(client, api):
    sign_in(client, organisation_id="org-jp")
    api.answer("GET", "/v1/applications/a1", 200, {**APPLICATION, "status": "endorsed"})
    html = client.get("/console/applications/a1").get_data(as_text=True)
    assert "Mobility checklist" not in html
    assert not api.calls("GET", "/v1/applications/a1/mobility")


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "Exchanges by stage"), ("ja", "段階別の交流"), ("hi", "चरण के अनुसार आदान-प्रदान")],
)
def test_the_pipeline_shows_every_exchange_by_stage(client, api, language, words):
    sign_in(client, role="secretariat", side="JP", organisation_id="org-jp-sec", language=language)
    stages = dict.fromkeys(
        ("blocked", "awaiting_documents", "visa", "travelling", "arrived", "departed"), 0
    )
    api.answer(
        "GET",
        "/v1/mobility/pipeline",
        200,
        {
            "items": [
                {
                    "application_id": "a1",
                    "reference": "TEX-2027-00001",
                    "direction": "IN_TO_JP",
                    "stage": "arrived",
                    "planned_arrival": "2027-04-01",
                    "actual_arrival": "2027-04-02",
                    "planned_departure": "2027-09-28",
                    "actual_departure": None,
                }
            ],
            "page": 1,
            "page_size": 50,
            "total": 1,
            "stages": {**stages, "arrived": 1},
        },
    )
    html = client.get("/console/mobility?stage=arrived").get_data(as_text=True)
    assert words in html and "TEX-2027-00001" in html
    assert api.calls("GET", "/v1/mobility/pipeline")[0]["args"]["stage"] == "arrived"
