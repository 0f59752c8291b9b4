"""The console's pages for an organisation's own things and the secretariat's tools: people,
API keys, reports, emails sent and webhooks (over a fake API)."""

from __future__ import annotations

from tests.unit.console.fake_api import sign_in
from tests.unit.console.test_console_safety import csrf_token


def test_people_are_invited_and_deactivated_only_after_a_confirmation(client, api):
    sign_in(client, organisation_id="org-jp")
    person = {
        "id": "person-2",
        "name": "Sato Ken",
        "role": "partner",
        "language": "ja",
        "active": True,
        "allowed_actions": ["edit", "deactivate", "end_sessions"],
    }
    page = {"items": [person], "page": 1, "page_size": 100, "total": 1}
    api.answer("GET", "/v1/organisations/org-jp/people", 200, page)
    html = client.get("/console/people/").get_data(as_text=True)
    assert "Sato Ken" in html and "Deactivate" in html and "Sign out everywhere" in html
    api.answer(
        "POST",
        "/v1/organisations/org-jp/people",
        422,
        {"code": 422, "message": "invalid", "errors": {"json": {"email": ["Not a valid email."]}}},
    )
    token = csrf_token(client, "/console/people/")
    refused = client.post(
        "/console/people/",
        data={"name": "X", "email": "nope", "role": "partner", "csrf_token": token},
    )
    assert refused.status_code == 422
    assert 'id="email-error"' in refused.get_data(as_text=True)
    api.answer("GET", "/v1/people/person-2", 200, person)
    api.answer("DELETE", "/v1/people/person-2", 204)
    unconfirmed = client.post("/console/people/person-2/deactivate", data={"csrf_token": token})
    assert unconfirmed.status_code == 422 and api.calls("DELETE") == []
    done = client.post(
        "/console/people/person-2/deactivate", data={"confirm": "yes", "csrf_token": token}
    )
    assert done.headers["Location"] == "/console/people/"
    assert len(api.calls("DELETE", "/v1/people/person-2")) == 1


def test_a_report_is_requested_watched_and_downloaded_through_the_console(client, api):
    sign_in(client, role="secretariat", side="JP")
    api.answer("GET", "/v1/reports", 200, {"items": [], "page": 1, "page_size": 20, "total": 0})
    api.answer("POST", "/v1/reports", 201, {"id": "r1", "status": "queued"})
    token = csrf_token(client, "/console/reports/")
    made = client.post(
        "/console/reports/",
        data={
            "type": "programme_portfolio",
            "format": "csv",
            "period.start": "2026-01-01",
            "period.end": "2026-12-31",
            "language": "ja",
            "csrf_token": token,
        },
    )
    assert made.headers["Location"] == "/console/reports/r1"
    assert api.calls("POST", "/v1/reports")[0]["json"] == {
        "type": "programme_portfolio",
        "format": "csv",
        "period": {"start": "2026-01-01", "end": "2026-12-31"},
        "language": "ja",
    }
    report = {
        "id": "r1",
        "type": "programme_portfolio",
        "format": "csv",
        "status": "running",
        "progress": 40,
        "period": {"start": "2026-01-01", "end": "2026-12-31"},
        "created_at": "2026-12-06T00:00:00+00:00",
    }
    api.answer("GET", "/v1/reports/r1", 200, report)
    html = client.get("/console/reports/r1").get_data(as_text=True)
    # Progress without JavaScript, and the script from the console's own files.
    assert 'value="40"' in html and "Refresh to see its progress" in html
    assert '<script src="/console/static/report-progress.js"></script>' in html
    assert client.get("/console/reports/r1/progress").get_json() == {
        "status": "running",
        "progress": 40,
    }
    assert client.get("/console/static/report-progress.js").status_code == 200
    api.answer(
        "GET",
        "/v1/reports/r1/download",
        200,
        None,
        **{"Content-Disposition": 'attachment; filename="portfolio.csv"'},
    )
    downloaded = client.get("/console/reports/r1/download")
    assert downloaded.status_code == 200
    assert downloaded.headers["Content-Disposition"] == 'attachment; filename="portfolio.csv"'


def test_a_failed_email_is_sent_again_by_the_secretariat(client, api):
    sign_in(client, role="secretariat", side="JP")
    failed = {
        "id": "d1",
        "recipient": "office@jp.example",
        "template": "programme_submitted",
        "status": "failed",
        "attempts": 8,
        "last_error": "550 mailbox unavailable",
        "created_at": "2026-12-06T00:00:00+00:00",
    }
    api.answer("GET", "/v1/notifications", 200, {"items": [failed], "page": 1, "total": 1})
    html = client.get("/console/deliveries/?status=failed").get_data(as_text=True)
    assert "550 mailbox unavailable" in html and "Send again" in html
    assert api.calls("GET", "/v1/notifications")[0]["args"]["status"] == "failed"
    api.answer("POST", "/v1/notifications/d1/retry", 202, {**failed, "status": "queued"})
    token = csrf_token(client, "/console/deliveries/")
    sent = client.post("/console/deliveries/d1/retry", data={"csrf_token": token})
    assert sent.status_code == 303 and len(api.calls("POST", "/v1/notifications/d1/retry")) == 1


def test_a_webhook_is_registered_and_its_secret_shown_once(client, api):
    sign_in(client)
    api.answer("GET", "/v1/webhooks", 200, {"items": [], "page": 1, "total": 0})
    made = {"id": "w1", "url": "https://partner.example/hook", "secret": "whsec_c2VjcmV0"}
    api.answer("POST", "/v1/webhooks", 201, made)
    token = csrf_token(client, "/console/webhooks/")
    answer = client.post(
        "/console/webhooks/",
        data={
            "url": "https://partner.example/hook",
            "event_types": ["programme.status_changed", "application.status_changed"],
            "csrf_token": token,
        },
    )
    assert "whsec_c2VjcmV0" in answer.get_data(as_text=True)
    assert api.calls("POST", "/v1/webhooks")[0]["json"] == {
        "url": "https://partner.example/hook",
        "event_types": ["programme.status_changed", "application.status_changed"],
    }
    with client.session_transaction("/console/") as session:
        assert "whsec_c2VjcmV0" not in str(dict(session))


SCHEDULE = {
    "id": "s1",
    "type": "programme_portfolio",
    "format": "pdf",
    "cron": "0 6 1 * *",
    "timezone": "Asia/Tokyo",
    "recipients": ["secretariat@setu.example"],
    "language": "ja",
    "enabled": True,
    "version": 3,
    "next_due_at": "2027-01-01T06:00:00+09:00",
}


def test_report_schedules_are_listed_made_and_deleted_by_the_secretariat(client, api):
    sign_in(client, role="secretariat", side="JP")
    page = {"items": [SCHEDULE], "page": 1, "page_size": 50, "total": 1}
    api.answer("GET", "/v1/report-schedules", 200, page)
    html = client.get("/console/reports/schedules").get_data(as_text=True)
    assert "0 6 1 * *" in html and "secretariat@setu.example" in html
    assert "Save the schedule" in html and "Delete" in html
    # Zones by their names in the person's language; the form sends their codes.
    assert "Japan Standard Time" in html and '<option value="Asia/Kolkata"' in html
    assert ">Asia/Kolkata<" not in html
    # The API's refusal beside its field, said as what to do.
    refusal = {
        "cron": [
            "'0 6' is not a cron expression of five fields (minute hour day-of-month month "
            "day-of-week), e.g. '0 9 * * 1'"
        ]
    }
    api.answer(
        "POST", "/v1/report-schedules", 422, {"code": 422, "message": "x", "errors": refusal}
    )
    token = csrf_token(client, "/console/reports/schedules")
    form = {
        "type": "exchange_flows",
        "format": "csv",
        "cron": " 0  6 ",
        "timezone": "Asia/Kolkata",
        "recipients": "office@in.example, secretariat@setu.example\noffice@jp.example",
        "language": "hi",
        "enabled": "yes",
        "csrf_token": token,
    }
    refused = client.post("/console/reports/schedules", data=form)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="cron-error"' in text
    assert "Enter five fields" in text and 'value="0 6"' in text
    assert "office@in.example, secretariat@setu.example\noffice@jp.example</textarea>" in text
    assert api.calls("POST", "/v1/report-schedules")[0]["json"] == {
        "type": "exchange_flows",
        "format": "csv",
        "cron": "0 6",
        "timezone": "Asia/Kolkata",
        "recipients": ["office@in.example", "secretariat@setu.example", "office@jp.example"],
        "language": "hi",
        "enabled": True,
    }
    api.answer("POST", "/v1/report-schedules", 201, {**SCHEDULE, "id": "s2"})
    made = client.post("/console/reports/schedules", data={**form, "cron": "0 6 1 * *"})
    assert made.status_code == 303 and made.headers["Location"] == "/console/reports/schedules"
    # Deleted as it was listed: its version goes as If-Match; a change since answers 412.
    api.answer("DELETE", "/v1/report-schedules/s1", 204)
    gone = client.post(
        "/console/reports/schedules/s1/delete", data={"version": "3", "csrf_token": token}
    )
    assert gone.status_code == 303
    assert api.calls("DELETE")[0]["headers"]["If-Match"] == '"s1.3"'
    api.answer("DELETE", "/v1/report-schedules/s1", 412, {"code": 412, "message": "stale"})
    stale = client.post(
        "/console/reports/schedules/s1/delete",
        data={"version": "2", "csrf_token": token},
        follow_redirects=True,
    )
    assert "Someone changed this schedule" in stale.get_data(as_text=True)


def test_an_auditor_sees_the_schedules_without_a_form_to_change_them(client, api):
    sign_in(client, role="auditor")
    page = {"items": [{**SCHEDULE, "enabled": False}], "page": 1, "page_size": 50, "total": 1}
    api.answer("GET", "/v1/report-schedules", 200, page)
    html = client.get("/console/reports/schedules").get_data(as_text=True)
    assert "Switched off" in html and "0 6 1 * *" in html
    assert "Save the schedule" not in html and "/delete" not in html
    assert "Only the secretariat changes report schedules." in html


def test_a_webhooks_delivery_log_shows_each_delivery_its_status_and_attempts(client, api):
    sign_in(client)
    webhook = {"id": "w1", "url": "https://partner.example/hook", "enabled": True}
    api.answer("GET", "/v1/webhooks", 200, {"items": [webhook], "page": 1, "total": 1})
    assert "/console/webhooks/w1/deliveries" in client.get("/console/webhooks/").get_data(
        as_text=True
    )
    failed = {
        "id": "wd1",
        "event_type": "programme.status_changed",
        "status": "failed",
        "attempts": 8,
        "response_status": 500,
        "last_error": "HTTP 500: upstream down",
        "created_at": "2026-12-06T00:00:00+00:00",
    }
    waiting = {
        "id": "wd2",
        "event_type": "application.status_changed",
        "status": "retrying",
        "attempts": 2,
        "response_status": None,
        "last_error": "timed out",
        "next_attempt_at": "2026-12-06T01:00:00+00:00",
        "created_at": "2026-12-06T00:30:00+00:00",
    }
    api.answer("GET", "/v1/webhooks/w1", 200, webhook)
    page = {"items": [waiting, failed], "page": 2, "page_size": 20, "total": 41}
    api.answer("GET", "/v1/webhooks/w1/deliveries", 200, page)
    html = client.get("/console/webhooks/w1/deliveries?page=2").get_data(as_text=True)
    assert "https://partner.example/hook" in html
    assert "HTTP 500" in html and "upstream down" in html and "timed out" in html
    assert "Next attempt" in html and "Page 2 of 3" in html
    assert api.calls("GET", "/v1/webhooks/w1/deliveries")[0]["args"]["page"] == "2"
    # The API has no retry of a webhook delivery: no button asks for one.
    assert "<button" not in html.split("<main")[1].split("</main>")[0]
