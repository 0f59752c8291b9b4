"""What keeps a person safe on every page of the console (issue 30, *Safe by construction*)."""

from __future__ import annotations

import logging
import re

import pytest

from console.security import CONTENT_SECURITY_POLICY
from setu_contract.http import verified_client_address
from tests.unit.console.fake_api import INTERNAL_SECRET, console_for, sign_in

TOKEN_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client, path: str = "/console/sign-in") -> str:
    return TOKEN_FIELD.search(client.get(path).get_data(as_text=True)).group(1)


@pytest.mark.parametrize(
    "path", ["/console/sign-in", "/console/check-your-email", "/console/nowhere", "/console/"]
)
def test_every_answer_carries_the_strict_headers(client, path):
    answer = client.get(path)
    assert answer.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    policy = answer.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert answer.headers["Cache-Control"] == "no-store"


def test_no_page_has_an_inline_script_or_style(client, api):
    sign_in(client)
    api.answer("GET", "/v1/programmes", 200, {"items": [], "page": 1, "page_size": 20, "total": 0})
    for path in ("/console/sign-in", "/console/programmes/", "/console/sign-in/setul_x.y"):
        html = client.get(path).get_data(as_text=True)
        assert "<script" not in html and "style=" not in html and "<style" not in html, path


def test_a_post_without_the_csrf_token_is_refused_and_reaches_no_api(client, api):
    sign_in(client)
    answer = client.post("/console/programmes/p1/actions", data={"action": "approve"})
    assert answer.status_code == 400
    assert "The form may have expired" in answer.get_data(as_text=True)
    assert api.received == []


def test_a_post_with_the_token_of_another_session_is_refused(api):
    first, second = console_for(api).test_client(), console_for(api).test_client()
    token = csrf_token(first)
    answer = second.post("/console/sign-in", data={"email": "a@b.jp", "csrf_token": token})
    assert answer.status_code == 400
    assert api.calls("POST", "/v1/sign-in") == []


def test_the_session_cookie_is_httponly_samesite_lax_and_secure_behind_https(api):
    for public_url, secure in (("http://127.0.0.1:8000", False), ("https://setu.example", True)):
        client = console_for(api, public_url).test_client()
        answer = client.get("/console/sign-in")
        cookie = answer.headers["Set-Cookie"]
        assert cookie.startswith("setu_console=")
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/console" in cookie
        assert ("Secure" in cookie) is secure


def test_a_session_the_api_ended_is_forgotten_and_the_person_asked_to_sign_in(client, api):
    # A deactivated person's session: the API refuses it on its very next request.
    sign_in(client)
    api.answer("GET", "/v1/programmes/p1", 401, {"code": 401, "message": "session ended"})
    answer = client.get("/console/programmes/p1")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/console/sign-in?next=/console/programmes/p1"
    with client.session_transaction("/console/") as session:
        assert "token" not in session
    # The cookie it had is refused from then on without asking the API again.
    before = len(api.received)
    assert client.get("/console/programmes/p1").status_code == 302
    assert len(api.received) == before


@pytest.mark.parametrize(
    "wanted",
    [
        "https://evil.example/console/",
        "//evil.example/console/",
        "/\\evil.example",
        "/v1/programmes",
        "/console/../v1/api-keys",
        "javascript:alert(1)",
    ],
)
def test_next_never_leads_off_the_console(client, api, wanted):
    client.get("/console/sign-in", query_string={"next": wanted})
    with client.session_transaction("/console/") as session:
        assert "next" not in session


def test_output_is_escaped(client, api):
    sign_in(client)
    programme = {
        "id": "p1",
        "reference": "JIP-2027-0001",
        "title": "<script>alert(1)</script>",
        "summary": "<img src=x onerror=alert(1)>",
        "focus_area": "ai_research",
        "status": "draft",
        "partners": [],
        "budget": [],
        "approvals": [],
        "allowed_actions": [],
        "exchange_slots": 0,
        "start_date": "2027-04-01",
        "end_date": "2028-03-31",
    }
    api.answer("GET", "/v1/programmes/p1", 200, programme)
    html = client.get("/console/programmes/p1").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_sign_in_link_is_not_in_the_access_log(client, api, caplog):
    caplog.set_level(logging.INFO)
    client.get("/console/sign-in/setul_link42.secretmac42")
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "GET /console/sign-in/{token} 200" in logged
    assert "secretmac42" not in logged and "link42" not in logged


def test_the_404_and_500_pages_say_what_to_do_in_the_persons_language(client, api):
    sign_in(client, language="ja")
    answer = client.get("/console/nowhere")
    assert answer.status_code == 404
    html = answer.get_data(as_text=True)
    assert '<html lang="ja">' in html and "ページが見つかりません" in html
    api.answer("GET", "/v1/programmes/p1", 500, {"code": 500, "message": "boom"})
    answer = client.get("/console/programmes/p1")
    assert answer.status_code == 503
    assert "Setuが応答していません" in answer.get_data(as_text=True)


def test_the_api_is_told_the_browsers_address_signed_for_each_call(client, api):
    """The API limits failed sign-ins per address; every person's call comes from the
    console's, so the console names the browser's (the gateway's last X-Forwarded-For)."""
    api.answer("POST", "/v1/sessions", 401, {"code": 401, "message": "not valid"})
    api.answer("GET", "/v1/programmes", 200, {"items": [], "total": 0})
    token = csrf_token(client, "/console/sign-in/setul_abc.mac")
    browser = {"X-Forwarded-For": "10.1.1.1, 203.0.113.50"}
    client.post("/console/sign-in/setul_abc.mac", data={"csrf_token": token}, headers=browser)
    sign_in(client)
    client.get("/console/programmes/?q=chip", headers=browser)
    calls = api.calls("POST", "/v1/sessions") + api.calls("GET", "/v1/programmes")
    assert len(calls) == 2
    for call in calls:
        vouched = verified_client_address(
            call["headers"], INTERNAL_SECRET, call["method"], call["target"]
        )
        assert vouched == "203.0.113.50", call
