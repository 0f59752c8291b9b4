"""Odd input to the console, as an adversary or a slip of the keyboard sends it: never a 500,
never a call to another of the API's paths than the page's own.

Whole numbers typed into a form or a query (`?page=`) that ``str.isdigit`` accepts and ``int``
refuses ("²", 5,000 digits) are passed on as entered, for the API to say what is wrong; an id
in the page's address is one segment of the API's path, whatever it holds ("..", "?", "%41").
"""

from __future__ import annotations

import pytest

from console.api_client.base import ApiError, api_path
from console.entered import whole_number
from tests.unit.console.fake_api import sign_in
from tests.unit.console.test_console_call_pages import CRITERIA, as_reviewer, review
from tests.unit.console.test_console_safety import csrf_token

# Digits that str.isdigit accepts and int refuses, or that are no number the API takes.
ODD_NUMBERS = ["²", "9" * 5000, "١٢", "-1", "1e3", "12345678901", "0x10"]
INVALID = {"code": 422, "message": "invalid", "errors": {"json": {"x": ["invalid"]}}}


@pytest.mark.parametrize(
    ("typed", "read"),
    [("7", 7), ("000123", 123), ("", None), ("²", "²"), ("١٢", "١٢"), ("9" * 5000, "9" * 5000)],
)
def test_a_whole_number_is_read_only_from_ascii_digits_and_kept_as_typed_otherwise(typed, read):
    assert whole_number(typed) == read


@pytest.mark.parametrize("odd", ODD_NUMBERS)
@pytest.mark.parametrize(
    "path", ["/console/programmes/", "/console/applications/", "/console/calls/", "/console/"]
)
def test_an_odd_page_number_is_the_first_page(client, api, path, odd):
    sign_in(client, role="secretariat", side="JP")
    answer = client.get(path, query_string={"page": odd})
    assert answer.status_code < 500
    pages = [call["args"].get("page") for call in api.received if "page" in call["args"]]
    assert set(pages) <= {"1"}


@pytest.mark.parametrize("odd", ODD_NUMBERS)
def test_odd_exchange_slots_are_sent_as_typed_and_the_apis_refusal_shown(client, api, odd):
    sign_in(client)
    api.answer("GET", "/v1/organisations", 200, {"items": [], "page": 1, "total": 0})
    api.answer("GET", "/v1/calls", 200, {"items": [], "page": 1, "total": 0})
    api.answer("POST", "/v1/programmes", 422, INVALID)
    token = csrf_token(client, "/console/programmes/new")
    answer = client.post(
        "/console/programmes/new",
        data={"csrf_token": token, "title": "T", "exchange_slots": odd},
    )
    assert answer.status_code == 422
    assert api.calls("POST", "/v1/programmes")[0]["json"]["exchange_slots"] == odd


@pytest.mark.parametrize("odd", ODD_NUMBERS)
def test_odd_numbers_in_a_call_are_sent_as_typed(client, api, odd):
    sign_in(client, role="secretariat", side="JP")
    api.answer("POST", "/v1/calls", 422, INVALID)
    token = csrf_token(client, "/console/calls/new")
    fields = (
        "eligibility.min_partners",
        "review.reviewers_per_proposal",
        "review.due_days",
        "review.criteria.0.weight",
    )
    data = {"csrf_token": token, "title": "T", "review.criteria.0.label": "Merit"}
    answer = client.post("/console/calls/new", data={**data, **dict.fromkeys(fields, odd)})
    assert answer.status_code == 422
    sent = api.calls("POST", "/v1/calls")[0]["json"]
    assert sent["eligibility"]["min_partners"] == odd
    assert sent["review"]["due_days"] == odd
    assert sent["review"]["criteria"][0]["weight"] == odd


@pytest.mark.parametrize("odd", ODD_NUMBERS)
def test_an_odd_score_is_sent_as_typed(client, api, odd):
    as_reviewer(client)
    api.answer("GET", "/v1/reviews/r1", 200, review(status="in_progress"))
    api.answer("POST", "/v1/reviews/r1/submission", 422, INVALID)
    token = csrf_token(client, "/console/reviews/r1")
    data = {"csrf_token": token}
    for criterion in CRITERIA:
        data[f"scores.{criterion['key']}.score"] = odd
    answer = client.post("/console/reviews/r1/submission", data=data)
    assert answer.status_code < 500
    sent = api.calls("POST", "/v1/reviews/r1/submission")[0]["json"]["scores"]
    assert {score["score"] for score in sent.values()} == {odd}


# Ids as a page's address may carry them, decoded: each must stay one segment of the API's path.
ODD_IDS = ["..", ".", "?page_size=1", "#top", "%41", "a b", "\u202e", "x;y", "..%2F"]


@pytest.mark.parametrize("odd", ODD_IDS)
@pytest.mark.parametrize(
    "page",
    [
        "/console/programmes/{}",
        "/console/programmes/{}/history",
        "/console/applications/{}",
        "/console/calls/{}",
        "/console/calls/{}/ranking",
        "/console/reviews/{}",
        "/console/reports/{}",
        "/console/reports/{}/download",
        "/console/webhooks/{}/deliveries",
    ],
)
def test_an_id_in_the_address_stays_one_segment_of_the_apis_path(client, api, page, odd):
    sign_in(client, role="secretariat", side="JP")
    answer = client.get(page.format(_encoded(odd)))
    assert answer.status_code < 500
    resource = page.split("/")[2]
    for call in api.received:
        target = call["target"].split("?")[0]
        # Only the API's own lists may be read beside the page (names, the person's work);
        # the page's resource is read only by its id, quoted whole.
        assert ".." not in target.split("/") and "/./" not in target
        if resource in target and target.count("/") > 2:
            assert api_path(f"/v1/x/{odd}").removeprefix("/v1/x/") in target
    if odd in (".", ".."):
        assert answer.status_code == 404


def _encoded(text: str) -> str:
    """``text`` as a browser puts it in an address: every byte percent-encoded."""
    return "".join(f"%{byte:02X}" for byte in text.encode())


def test_a_dot_segment_is_refused_before_any_call():
    with pytest.raises(ApiError) as refused:
        api_path("/v1/reports/../download")
    assert refused.value.status == 404
    assert api_path("/v1/programmes/a?b#c%d e") == "/v1/programmes/a%3Fb%23c%25d%20e"
