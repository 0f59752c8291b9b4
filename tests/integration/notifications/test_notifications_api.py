"""The notifications API over real databases: lists, filters, visibility, retry, unsubscribe."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine

from notifications.app import create_app
from notifications.config import Config
from notifications.domain.planning import Settings
from notifications.handling import record_event, send_delivery
from notifications.mail.compose import Sender
from notifications.mail.smtp import SmtpSettings, SmtpTransport
from notifications.mail.unsubscribe import make_token
from notifications.store.db import make_sessionmaker
from setu_contract.edge import BODY_NOT_JSON
from tests.support.identity import CONFIG_SECRETS as SECRETS
from tests.support.identity import signing_client
from tests.support.smtp import SmtpServer
from tests.unit.notifications.factories import (
    application_status_changed,
    event,
    organisation_data,
    report_generated,
)

SETTINGS = Settings("office@setu.test", "https://setu.test")
SECRETARIAT = {
    "X-Setu-Organisation-Id": "sec-jp",
    "X-Setu-Role": "secretariat",
    "X-Setu-Key-Id": "k1",
    "X-Setu-Side": "JP",
}
AUDITOR = {"X-Setu-Organisation-Id": "aud", "X-Setu-Role": "auditor", "X-Setu-Key-Id": "k2"}


def _partner(organisation_id: str) -> dict[str, str]:
    return {
        "X-Setu-Organisation-Id": organisation_id,
        "X-Setu-Role": "partner",
        "X-Setu-Key-Id": "k3",
    }


@pytest.fixture
def client(notifications_db: Engine, database_url: str, redis_url: str) -> Iterator[FlaskClient]:
    config = Config(database_url=database_url, redis_url=redis_url, **SECRETS)
    yield signing_client(create_app(config))


@pytest.fixture
def world(notifications_db: Engine, smtp_server: SmtpServer) -> dict:
    """Two organisations and a decision: three deliveries, the applicant's refused (550)."""
    sessions = make_sessionmaker(notifications_db)
    home, host = organisation_data("IN"), organisation_data("JP")
    decision = application_status_changed(home["id"], host["id"], "accepted", "endorsed", "a")
    applicant = decision["data"]["applicant"]["email"]
    transport = SmtpTransport(SmtpSettings("127.0.0.1", smtp_server.port))
    with sessions() as session:
        for envelope in (
            event("organisation.registered", home),
            event("organisation.registered", host),
            decision,
        ):
            for delivery_id in record_event(session, envelope, SETTINGS):
                smtp_server.handler.reply = None
                if delivery_id and _recipient(session, delivery_id) == applicant:
                    smtp_server.handler.reply = "550 5.1.1 unknown user"
                send_delivery(
                    session, delivery_id, transport.send, Sender("s@setu.test"), lambda d: None
                )
    transport.close()
    return {"home": home, "host": host, "decision": decision, "applicant": applicant}


def _recipient(session, delivery_id: str) -> str:
    from notifications.store.models import Delivery

    with session.begin():
        return session.get(Delivery, delivery_id).recipient


def test_without_identity_headers_the_api_answers_401(client: FlaskClient) -> None:
    response = client.get("/v1/notifications")
    assert response.status_code == 401
    assert response.json["code"] == 401 and response.json["message"]


def test_the_secretariat_lists_and_filters_every_delivery(client: FlaskClient, world) -> None:
    everything = client.get("/v1/notifications?page_size=2", headers=SECRETARIAT).json
    assert everything["total"] == 3 and len(everything["items"]) == 2
    assert everything["page"] == 1 and everything["page_size"] == 2
    event_id = world["decision"]["id"]
    failed = client.get(
        f"/v1/notifications?status=failed&event_id={event_id}", headers=AUDITOR
    ).json
    assert [i["recipient"] for i in failed["items"]] == [world["applicant"]]
    assert "550" in failed["items"][0]["last_error"]
    by_recipient = client.get(
        f"/v1/notifications?recipient={world['host']['contact_email']}", headers=SECRETARIAT
    ).json
    assert by_recipient["total"] == 1 and by_recipient["items"][0]["status"] == "sent"


def test_a_partner_sees_only_its_own_deliveries(client: FlaskClient, world) -> None:
    host_view = client.get("/v1/notifications", headers=_partner(world["host"]["id"])).json
    assert {i["recipient"] for i in host_view["items"]} == {world["host"]["contact_email"]}
    other = client.get("/v1/notifications", headers=SECRETARIAT).json["items"]
    foreign = next(i for i in other if i["organisation_id"] != world["host"]["id"])
    response = client.get(
        f"/v1/notifications/{foreign['id']}", headers=_partner(world["host"]["id"])
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "query", ["status=lost", "page=0", "page_size=101", "event_id=nope", "recipient=x", "x=1"]
)
def test_bad_filters_answer_422_field_by_field(client: FlaskClient, query: str) -> None:
    response = client.get(f"/v1/notifications?{query}", headers=SECRETARIAT)
    assert response.status_code == 422
    assert response.json["errors"] and response.json["status"] == "Unprocessable Entity"


def test_only_the_secretariat_retries_and_only_failed_deliveries(
    client: FlaskClient, world
) -> None:
    items = client.get("/v1/notifications", headers=SECRETARIAT).json["items"]
    failed = next(i for i in items if i["status"] == "failed")
    sent = next(i for i in items if i["status"] == "sent")
    assert (
        client.post(f"/v1/notifications/{failed['id']}/retry", headers=AUDITOR).status_code == 403
    )
    conflict = client.post(f"/v1/notifications/{sent['id']}/retry", headers=SECRETARIAT)
    assert conflict.status_code == 409 and "sent" in conflict.json["message"]
    retried = client.post(f"/v1/notifications/{failed['id']}/retry", headers=SECRETARIAT)
    assert retried.status_code == 202 and retried.json["status"] == "retrying"
    again = client.post(f"/v1/notifications/{failed['id']}/retry", headers=SECRETARIAT)
    assert again.status_code == 409
    assert client.post("/v1/notifications/missing/retry", headers=SECRETARIAT).status_code == 404


def test_a_body_that_is_not_json_is_415(client: FlaskClient, world) -> None:
    partner = _partner(world["host"]["id"])
    hook = client.post("/v1/webhooks", headers=partner, data="url=x", content_type="text/plain")
    assert hook.status_code == 415 and hook.json["message"] == BODY_NOT_JSON
    bodiless = client.post("/v1/webhooks", headers=partner)  # the view reads a JSON body
    assert bodiless.status_code == 415 and bodiless.json["message"] == BODY_NOT_JSON
    failed = client.get("/v1/notifications?status=failed", headers=SECRETARIAT).json["items"][0]
    retry = f"/v1/notifications/{failed['id']}/retry"
    refused = client.post(retry, headers=SECRETARIAT, data="now", content_type="text/plain")
    assert refused.status_code == 415 and refused.json["message"] == BODY_NOT_JSON
    assert (
        client.get(f"/v1/notifications/{failed['id']}", headers=SECRETARIAT).json["status"]
        == "failed"
    )


def test_one_click_unsubscribe_stops_report_emails_without_an_api_key(
    client: FlaskClient, notifications_db: Engine
) -> None:
    token = make_token(SECRETS["secret_key"], "Reader@Setu.test")
    page = client.get(f"/v1/unsubscribe/{token}")
    assert page.status_code == 200 and "reader@setu.test" in page.get_data(as_text=True)
    response = client.post(f"/v1/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and response.json["unsubscribed"] is True
    assert client.post(f"/v1/unsubscribe/{token}x").status_code == 404

    sessions = make_sessionmaker(notifications_db)
    with sessions() as session:
        pending = record_event(
            session, report_generated(["reader@setu.test", "b@setu.test"]), SETTINGS
        )
    assert len(pending) == 1


BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_a_person_following_the_unsubscribe_link_reads_pages_in_the_emails_language(
    client: FlaskClient,
) -> None:
    token = make_token(SECRETS["secret_key"], "Reader<b>@Setu.test", language="ja")
    page = client.get(f"/v1/unsubscribe/{token}", headers=BROWSER)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert '<html lang="ja">' in html and 'name="viewport"' in html
    assert "報告書メールの送信を停止しますか" in html and "配信を停止する</button>" in html
    # The address is shown escaped, never as markup.
    assert "reader&lt;b&gt;@setu.test" in html and "<b>@" not in html

    # The page's button: a browser's form post, answered with a page, not JSON.
    done = client.post(
        f"/v1/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"}, headers=BROWSER
    )
    assert done.status_code == 200 and done.mimetype == "text/html"
    assert "配信を停止しました" in done.get_data(as_text=True)
    # A mail client's or a program's one-click POST still gets JSON.
    answer = client.post(f"/v1/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert answer.json == {"email": "reader<b>@setu.test", "list": "reports", "unsubscribed": True}


def test_a_link_that_does_not_work_is_a_page_in_the_browsers_language(client: FlaskClient):
    headers = {**BROWSER, "Accept-Language": "hi-IN,hi;q=0.9,en;q=0.5"}
    for method in ("GET", "POST"):
        page = client.open("/v1/unsubscribe/not-a-token", method=method, headers=headers)
        assert page.status_code == 404 and page.mimetype == "text/html"
        assert '<html lang="hi">' in page.get_data(as_text=True)
        assert "यह लिंक काम नहीं करता" in page.get_data(as_text=True)
    # A program asking for JSON (or for anything) gets the API's error.
    refused = client.get("/v1/unsubscribe/not-a-token", headers={"Accept": "application/json"})
    assert refused.status_code == 404 and refused.json["code"] == 404
    assert client.get("/v1/unsubscribe/not-a-token").json["code"] == 404
