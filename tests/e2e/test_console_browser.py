"""The console in a real browser (Debian's Chromium, Selenium) against the whole topology
of `setu up`, by clicking only: a JP partner proposes a programme, the IN partner confirms
its part, the programme is submitted, reviewed and approved by both sides; an exchange is
filed, endorsed by the host and accepted by the secretariat. Then a page of each kind in
Japanese and in Hindi. axe-core runs on every page (0 serious or critical violations) and
every page is saved as a screenshot under test-artifacts/console/<language>/.

India's officer, and the officers of the sign-in test, are people who sign in by the link
they are emailed and a TOTP code; India's officer comes in through the "your approval is
awaited" email. The other steps act as a key of their organisation in the console's session
cookie (tests/e2e/console_actors.py). Every console link of every email sent is opened.
"""

from __future__ import annotations

import re
import subprocess
import threading
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from tests.contract_fuzz.seeding import programme_body
from tests.e2e.console_actors import People, act_as, link_in_email, sign_in_as_person
from tests.e2e.topology import RunningSetu, running_setu
from tests.support.infra import wait_until
from tests.support.processes import VENV_BIN

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def system(tmp_path_factory, redis_url, smtp) -> Iterator[RunningSetu]:
    data_dir = tmp_path_factory.mktemp("console-e2e")
    # Webhooks to a receiver on this machine (tests' own), as partners' systems are elsewhere.
    with running_setu(data_dir, redis_url, smtp.port, WEBHOOK_ALLOW_PRIVATE="1") as running:
        yield running


class Receiver(BaseHTTPRequestHandler):
    """A partner's webhook endpoint that is down: every delivery answers 503."""

    received: list[str] = []

    def do_POST(self) -> None:
        self.received.append(self.headers.get("Content-Type") or "")
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture(scope="module")
def receiver() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/setu-hook"
    server.shutdown()
    server.server_close()


def test_a_programme_and_an_exchange_go_through_by_clicking_only(browser, system, people, smtp):
    lang = "en"
    # India's officer is a person, told by email when its side's approval is awaited.
    officer = people.person("secretariat-IN", "Priya Sharma")
    jp, india = people.name("partner-JP"), people.name("partner-IN")
    # Before anyone signs in, the sign-in page; the link page spends nothing.
    browser.open("/console/programmes/")
    assert browser.path.startswith("/console/sign-in?next=/console/programmes/")
    browser.check("sign-in", lang)

    # The JP partner proposes the programme.
    act_as(browser, system, people, "partner-JP", lang)
    browser.check("my-work-partner", lang)
    browser.click_link("Propose a programme")
    browser.check("programme-create", lang)
    browser.click_button("Create the draft")
    assert "There is a problem" in browser.text  # the API's 422, beside the fields
    browser.check("programme-create-errors", lang)
    browser.fill("Title", "Chiplet packaging for edge AI accelerators")
    browser.fill("Summary", "2.5D packaging and thermal design for inference chips.")
    browser.choose("Focus area", "Semiconductor packaging")
    browser.fill("Start date", "2027-04-01")
    browser.fill("End date", "2029-03-31")
    browser.fill("Exchange slots", "10")
    browser.choose("Partner 1", jp)
    browser.choose("Role of partner 1", "Lead")
    browser.choose("Partner 2", india)
    browser.choose("Role of partner 2", "Lead")
    browser.choose("Budget line 1: paid by", jp)
    browser.choose("Budget line 1: currency", "Yen")
    browser.fill("Budget line 1: amount", "50000000")
    browser.choose("Budget line 2: paid by", india)
    browser.choose("Budget line 2: currency", "Rupees")
    browser.fill("Budget line 2: amount", "25000000.00")
    browser.click_button("Create the draft")
    assert "Chiplet packaging for edge AI accelerators" in browser.text, browser.text
    assert "¥50,000,000" in browser.text and "₹2,50,00,000.00" in browser.text
    programme_path = browser.path
    browser.check("programme-draft", lang)

    # The IN partner confirms its part from My work.
    act_as(browser, system, people, "partner-IN", lang)
    browser.click_link("JIP-")
    browser.click_button("Confirm our participation")
    assert "Confirm our participation: done." in browser.text, browser.text

    # The JP partner submits it.
    act_as(browser, system, people, "partner-JP", lang)
    browser.click_link("Programmes")
    browser.check("programmes-list", lang)
    browser.click_link("JIP-")
    browser.click_button("Submit")
    assert "Submitted" in browser.text

    # The JP officer starts the review and approves; the IN officer opens the link of the
    # "your approval is awaited" email, signs in, and approves.
    act_as(browser, system, people, "secretariat-JP", lang)
    browser.check("my-work-secretariat", lang)
    browser.click_link("JIP-")
    browser.click_button("Start review")
    browser.check("programme-under-review", lang)
    # A semiconductor programme: each side screens it (FEFTA here) on the programme's page.
    assert "Screening pending" in browser.text
    browser.choose("Outcome", "Cleared")
    browser.choose("Classification", "Not on a control list")
    browser.click_button("Record the screening")
    assert "Your side's screening is recorded." in browser.text, browser.text
    browser.fill("Comment", "The JP side approves: a sound plan.")
    browser.click_button("Approve")
    assert "Not yet approved by this side." in browser.text  # India's column
    awaited = link_in_email(smtp, officer["email"], r"/console/programmes/[0-9a-f-]+")
    assert awaited == system.base_url + programme_path
    browser.delete_cookies()
    browser.driver.get(awaited)
    sign_in_as_person(browser, system, smtp, officer, lang)
    assert browser.path == programme_path, browser.path
    browser.check("programme-awaiting-second-side", lang)
    # India has not screened it yet: its approval is held, the refusal naming SCOMET.
    browser.click_button("Approve")
    assert "SCOMET" in browser.text and "not recorded" in browser.text, browser.text
    browser.check("programme-approval-held", lang)
    browser.choose("Outcome", "Licence required")
    browser.choose("Classification", "On a control list")
    browser.fill("List item", "3E001")
    browser.fill("Licence number (DGFT)", "DGFT-2027-0042")
    browser.fill("Licence valid until", "2030-03-31")
    browser.click_button("Record the screening")
    assert "Your side's screening is recorded." in browser.text, browser.text
    assert "Screening complete" in browser.text and "DGFT-2027-0042" in browser.text
    browser.check("programme-screened", lang)
    browser.fill("Comment", "The IN side agrees.")
    browser.click_button("Approve")
    assert browser.path == programme_path
    text = browser.text
    assert "The JP side approves: a sound plan." in text and "The IN side agrees." in text
    assert "Approved by Priya Sharma" in text
    assert "Not yet approved by this side." not in text
    browser.check("programme-approved", lang)
    browser.click_link("History of this programme")
    assert "Start review" in browser.text
    browser.check("programme-history", lang)

    # The JP partner files an exchange; the IN host endorses it; the secretariat accepts it.
    act_as(browser, system, people, "partner-JP", lang)
    browser.click_link("File an exchange application")
    browser.check("application-choose-programme", lang)
    browser.click_button("Continue")
    browser.fill("Full name", "Sato Hana")
    browser.fill("Email address", "hana.sato@example.jp")
    browser.fill("Nationality", "JP")
    browser.choose("Career stage", "Doctoral student")
    browser.choose("Host organisation", india)
    browser.fill("Start date", "2027-06-01")
    browser.fill("End date", "2027-12-01")
    browser.fill("Statement", "Six months at the partner lab on chiplet thermal models. " * 2)
    browser.check("application-create", lang)
    browser.click_button("Create the draft")
    assert "Sato Hana" in browser.text, browser.text
    browser.click_link("Edit this application")
    browser.fill("End date", "2027-11-30")
    browser.click_button("Save changes")
    assert "Your changes are saved." in browser.text and "30 November 2027" in browser.text
    browser.click_button("Submit")
    browser.check("application-submitted", lang)
    act_as(browser, system, people, "partner-IN", lang)
    browser.click_link("TEX-")
    browser.click_button("Endorse")
    # The JP officer cannot accept before India, the host, has screened the person; India's
    # officer does, on the exchange's page.
    act_as(browser, system, people, "secretariat-JP", lang)
    browser.click_link("TEX-")
    exchange_path = browser.path
    browser.click_button("Accept")
    assert "SCOMET" in browser.text and "host side" in browser.text, browser.text
    act_as(browser, system, people, "secretariat-IN", lang)
    browser.open(exchange_path)
    browser.check("application-person-to-screen", lang)
    browser.choose("Outcome", "Cleared")
    browser.choose("Classification", "Not on a control list")
    browser.click_button("Record the screening")
    assert "Your side's screening is recorded." in browser.text, browser.text
    act_as(browser, system, people, "secretariat-JP", lang)
    browser.open(exchange_path)
    browser.click_button("Accept")
    assert "Accepted" in browser.text
    browser.check("application-accepted", lang)
    browser.click_link("Erase the applicant")
    browser.check("application-erase", lang)
    browser.click_link("Cancel")
    browser.click_link("JIP-")
    assert "Used" in browser.text
    browser.click_link("Applications")
    browser.check("applications-list", lang)

    # The JP officer requests a portfolio report and watches it become ready.
    act_as(browser, system, people, "secretariat-JP", lang)
    browser.click_link("Reports")
    browser.choose("Report", "Programme portfolio")
    browser.choose("Format", "CSV")
    browser.fill("From", "2026-01-01")
    browser.fill("To", "2030-12-31")
    browser.click_button("Request the report")
    browser.check("report-requested", lang)
    # The page's script reloads it when the report is ready (or it is already).
    wait_until(
        lambda: "Download the report" in browser.text or browser.driver.refresh(),
        timeout=60,
        message="the report ready on its page",
    )
    browser.check("report-ready", lang)
    download = browser.driver.find_element("partial link text", "Download the report")
    cookie = browser.driver.get_cookie("setu_console")["value"]
    answer = requests.get(
        download.get_attribute("href"), cookies={"setu_console": cookie}, timeout=30
    )
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/csv")
    browser.click_link("All reports")
    browser.check("reports", lang)
    browser.click_link("Emails")
    assert "sent" in browser.driver.page_source
    browser.check("emails", lang)
    browser.click_link("Webhooks")
    browser.click_button("Add the endpoint")
    assert "There is a problem" in browser.text
    browser.check("webhooks-errors", lang)

    # Every console link in every email sent so far opens its page for a signed-in officer.
    links = set()
    for message in smtp.messages:
        body = message.get_body(("plain",))
        text = body.get_content() if body else ""
        links |= set(
            re.findall(r"https?://\S+?/console/(?:programmes|applications)/[0-9a-f-]+", text)
        )
    assert links, "the emails link to the console"
    act_as(browser, system, people, "secretariat-JP", lang)
    for link in sorted(links):
        browser.driver.get(link)
        assert browser.path == link.removeprefix(system.base_url), (link, browser.text)
        assert "Page not found" not in browser.text, link

    assert not browser.violations, browser.violations_report()


# A programme's title label, its create button, and three of the API's messages, as shown:
# said as what to do (never marshmallow's "Length must be between..."), the partners' count
# as a choice of partner organisations.
FORM_WORDS = {
    "ja": (
        "題名",
        "下書きを作成する",
        "5 文字以上 200 文字以下で入力してください。",
        "実在する日付を年-月-日で入力してください。",
        "パートナー機関を 2 以上 20 以下で選んでください。",
    ),
    "hi": (
        "शीर्षक",
        "मसौदा बनाएँ",
        "5 से 200 अक्षरों के बीच लिखें।",
        "वर्ष-माह-दिन के रूप में सही तारीख़ लिखें।",
        "2 से 20 साझेदार संगठन चुनें।",
    ),
}


@pytest.mark.parametrize("lang", ["ja", "hi"])
def test_a_page_of_each_kind_in_japanese_and_hindi(browser, system, people, lang):
    words = {"ja": ("マイワーク", "プログラム", "メンバー"), "hi": ("मेरा काम", "कार्यक्रम", "लोग")}[
        lang
    ]
    act_as(browser, system, people, "secretariat-JP", lang)
    html_lang = browser.driver.find_element("tag name", "html").get_attribute("lang")
    assert html_lang == lang
    assert words[0] in browser.text
    browser.check("my-work", lang)
    browser.click_link(words[1])
    browser.check("programmes-list", lang)
    browser.click(browser.driver.find_element("partial link text", "JIP-"))
    browser.check("programme", lang)
    browser.click(browser.driver.find_elements("css selector", "main a")[-1])
    browser.check("programme-history", lang)
    browser.click_link(words[2])
    browser.check("people", lang)
    browser.open("/console/no-such-page")
    browser.check("not-found", lang)
    act_as(browser, system, people, "partner-JP", lang)
    browser.click(browser.driver.find_elements("css selector", "main a.button")[0])
    browser.check("programme-create", lang)
    # The API answers its field errors in English; the person reads them in their language.
    title, create, too_short, no_date, one_partner = FORM_WORDS[lang]
    browser.fill(title, "Abc")
    browser.click_button(create)
    assert too_short in browser.driver.find_element("id", "title-error").text
    assert no_date in browser.driver.find_element("id", "start_date-error").text
    assert one_partner in browser.driver.find_element("id", "partners-error").text
    browser.check("programme-create-errors", lang)
    browser.delete_cookies()
    browser.open("/console/sign-in")
    # The language of the chooser on the page, clicked.
    browser.click(browser.driver.find_element("css selector", f'button[value="{lang}"]'))
    assert browser.driver.find_element("tag name", "html").get_attribute("lang") == lang
    browser.check("sign-in", lang)
    browser.open("/console/sign-in/setul_not-a-link.not-a-mac")
    browser.check("sign-in-link", lang)
    assert not browser.violations, browser.violations_report()


# The words clicked on the schedules page, in each language.
SCHEDULE_WORDS = {
    "en": ("When", "Save the schedule", "Enter five fields", "The schedule is saved"),
    "ja": (
        "日時",
        "スケジュールを保存する",
        "5 つの項目を入力してください",
        "スケジュールを保存しました",
    ),
    "hi": ("कब", "अनुसूची सहेजें", "पाँच फ़ील्ड लिखें", "अनुसूची सहेजी गई"),
}


@pytest.mark.parametrize("lang", ["en", "ja", "hi"])
def test_report_schedules_and_a_webhooks_delivery_log(browser, system, people, receiver, lang):
    when, save, five_fields, saved = SCHEDULE_WORDS[lang]
    # The secretariat schedules a report: a wrong cron is said beside its field, then saved.
    act_as(browser, system, people, "secretariat-JP", lang)
    browser.click(browser.driver.find_element("css selector", "nav a[href$='/console/reports/']"))
    browser.click(browser.driver.find_element("css selector", "main a[href$='/schedules']"))
    assert browser.path == "/console/reports/schedules"
    browser.check("report-schedules", lang)
    browser.fill(when, "0 6")
    browser.click_button(save)
    assert five_fields in browser.driver.find_element("id", "cron-error").text
    browser.check("report-schedule-errors", lang)
    cron = f"{('en', 'ja', 'hi').index(lang) + 1} 6 1 * *"
    browser.fill(when, cron)
    browser.click_button(save)
    assert saved in browser.text and cron in browser.text
    browser.check("report-schedule-saved", lang)
    delete = browser.driver.find_element(
        "xpath", f"//button[contains(normalize-space(), {cron!r})]"
    )
    browser.click(delete)
    assert cron not in browser.driver.find_element("tag name", "main").text

    # A partner's endpoint that answers 503: its log shows the delivery being tried again.
    act_as(browser, system, people, "partner-JP", lang)
    browser.open("/console/webhooks/")
    browser.driver.find_element("id", "url").send_keys(receiver)
    browser.driver.find_element("css selector", "input[value='programme.created']").click()
    register = "main form[action$='/console/webhooks/'] button"
    browser.click(browser.driver.find_element("css selector", register))
    browser.check("webhook-registered", lang)
    key, me = people.keys["partner-JP"]
    partner_in = people.keys["partner-IN"][1]["organisation_id"]
    made = system.api(
        "POST", "/v1/programmes", key, json=programme_body(me["organisation_id"], partner_in)
    )
    assert made.status_code == 201, made.text
    browser.open("/console/webhooks/")
    logs = browser.driver.find_elements("css selector", "main a[href*='/deliveries']")
    browser.click(logs[-1])
    wait_until(
        lambda: "HTTP 503" in browser.text or browser.driver.refresh(),
        timeout=60,
        message="the delivery tried and logged",
    )
    assert "programme.created" in browser.text
    assert not browser.driver.find_elements("css selector", "main button")
    browser.check("webhook-deliveries", lang)
    assert not browser.violations, browser.violations_report()


def test_the_console_answers_through_the_gateway_with_its_protections(system):
    answer = requests.get(system.base_url + "/console/sign-in", timeout=10)
    assert answer.status_code == 200
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    refused = requests.post(
        system.base_url + "/console/sign-in", data={"email": "a@b.jp"}, timeout=10
    )
    assert refused.status_code == 400


def test_a_second_make_up_says_setu_is_running_and_the_first_logged_no_error(system):
    again = subprocess.run(
        [str(VENV_BIN / "setu"), "up"],
        env={**__import__("os").environ, **system.env},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert again.returncode == 0, again.stderr
    lines = (again.stdout + again.stderr).strip().splitlines()
    assert len(lines) == 1 and "already running" in lines[0], lines
    output = system.process.output()
    assert "gunicorn.ctl" not in output and "Traceback" not in output, output[-3000:]
    assert '"level": "ERROR"' not in output, output[-3000:]


def test_people_sign_in_by_link_and_totp_and_come_back_to_the_page_they_asked_for(
    browser, system, people, smtp
):
    lang = "en"
    person = people.person("secretariat-JP", "田中 裕子")
    # The invitation's link opens the console's sign-in page for the link.
    invited = link_in_email(smtp, person["email"], r"/console/sign-in/setul_\S+")
    browser.delete_cookies()
    browser.driver.get(invited)
    assert "Sign in to Setu" in browser.text
    wanted = "/console/programmes/?status=under_review"
    browser.open(wanted)
    assert browser.path.startswith("/console/sign-in?next=/console/programmes/"), browser.path
    sign_in_as_person(browser, system, smtp, person, lang)
    assert browser.path == wanted, browser.path
    assert "田中 裕子" in browser.text
    # An officer invites a colleague from the People page; the invitation is emailed.
    browser.click_link("People")
    colleague = f"colleague-{uuid.uuid4().hex[:6]}@jp-secretariat.example"
    browser.fill("Full name", "鈴木 一郎")
    browser.fill("Email address", colleague)
    browser.choose("Role", "Auditor")
    browser.click_button("Send the invitation")
    assert "鈴木 一郎 is invited" in browser.text, browser.text
    browser.check("people", lang)
    link_in_email(smtp, colleague, r"/console/sign-in/setul_\S+")
    # It makes an API key for its office's system (shown once), then revokes it.
    browser.click_link("API keys of your organisation")
    browser.fill("Name of the key", "JP office reporting system")
    browser.choose("Role", "Auditor")
    browser.click_button("Make the key")
    secret = browser.driver.find_element("css selector", "code.secret").text
    assert system.api("GET", "/v1/programmes", secret).status_code == 200
    browser.check("api-key-issued", lang)
    browser.click_link("Back to the API keys")
    assert secret not in browser.driver.page_source
    browser.click_button("Revoke: JP office reporting system")
    assert "The key is revoked" in browser.text
    browser.check("api-keys", lang)
    assert system.api("GET", "/v1/programmes", secret).status_code == 401
    browser.click_button("Sign out")
    assert "You have signed out." in browser.text
    browser.open(wanted)
    assert browser.path.startswith("/console/sign-in?next=")

    # The second time, a code; then the person is deactivated and the cookie refused.
    sign_in_as_person(browser, system, smtp, person, lang)
    assert browser.path == wanted, browser.text
    key = people.keys["secretariat-JP"][0]
    gone = system.api("DELETE", f"/v1/people/{person['id']}", key)
    assert gone.status_code == 204, gone.text
    browser.click_link("My work")
    assert browser.path.startswith("/console/sign-in?next=/console/"), browser.path
    assert "Your session has ended" in browser.text
    assert not browser.violations, browser.violations_report()


def _accepted_exchange(system: RunningSetu, people: People) -> dict:
    """An exchange from the JP partner to the IN partner, accepted: made through the API (the
    clicks that make one are the first test's)."""
    jp_key, jp = people.keys["partner-JP"]
    in_key, india = people.keys["partner-IN"]
    secretariat = {side: people.keys[f"secretariat-{side}"][0] for side in ("JP", "IN")}

    def ok(answer: requests.Response) -> dict:
        assert answer.status_code in (200, 201), answer.text
        return answer.json()

    programme = ok(
        system.api(
            "POST",
            "/v1/programmes",
            jp_key,
            json={
                "title": f"Mobility of AI engineers {uuid.uuid4().hex[:6]}",
                # Not a controlled area: no export-control screening holds its approval or
                # its exchanges (the first test screens a semiconductor programme).
                "focus_area": "ai_research",
                "partners": [
                    {"organisation_id": jp["organisation_id"], "role": "lead"},
                    {"organisation_id": india["organisation_id"], "role": "lead"},
                ],
                "start_date": "2027-04-01",
                "end_date": "2029-03-31",
                "exchange_slots": 2,
                "exchange_slots_by_direction": {"JP_TO_IN": 1, "IN_TO_JP": 1},
            },
        )
    )
    path = f"/v1/programmes/{programme['id']}"
    ok(system.api("POST", f"{path}/participation", in_key, json={"decision": "confirm"}))
    for key, action in (
        (jp_key, "submit"),
        (secretariat["JP"], "start_review"),
        (secretariat["JP"], "approve"),
        (secretariat["IN"], "approve"),
    ):
        ok(system.api("POST", f"{path}/transitions", key, json={"action": action}))
    start = date.today() + timedelta(days=30)
    exchange = ok(
        system.api(
            "POST",
            "/v1/applications",
            jp_key,
            json={
                "programme_id": programme["id"],
                "applicant": {
                    "full_name": "Sato Ren",
                    "email": "ren@example.jp",
                    "nationality": "JP",
                },
                "career_stage": "engineer",
                "host_organisation_id": india["organisation_id"],
                "start_date": start.isoformat(),
                "end_date": (start + timedelta(days=200)).isoformat(),
                "statement": "Seven months on the partner's packaging line, thermal models. " * 2,
            },
        )
    )
    moves = f"/v1/applications/{exchange['id']}/transitions"
    for key, action in ((jp_key, "submit"), (in_key, "endorse"), (secretariat["JP"], "accept")):
        ok(system.api("POST", moves, key, json={"action": action}))
    return exchange


def test_an_exchange_moves_through_its_checklist_to_an_actual_arrival(browser, system, people):
    """Issue 33: the home and host organisations keep the checklist by clicking; the
    secretariat sees the exchange arrive on its pipeline."""
    lang = "en"
    exchange = _accepted_exchange(system, people)
    page = f"/console/applications/{exchange['id']}"
    act_as(browser, system, people, "partner-JP", lang)  # the home organisation
    browser.open(page)
    assert "Mobility checklist" in browser.text and "Awaiting documents" in browser.text
    for item, status in (("Research visa", "Applied for"), ("Research visa", "Issued"),
                         ("Insurance", "Arranged")):  # fmt: skip
        browser.choose(f"New status of {item}", status)
        browser.click_button(f"Save {item}")
        assert f"{item}: {status}. Saved." in browser.text, browser.text
    assert "Ready to travel" in browser.text
    # The host's items have no form for the home organisation.
    assert not browser.driver.find_elements("xpath", "//button[normalize-space()='Save Housing']")
    browser.check("application-mobility-home", lang)
    act_as(browser, system, people, "partner-IN", lang)  # the host organisation
    browser.open(page)
    browser.choose("New status of Housing", "Arranged")
    browser.click_button("Save Housing")
    browser.choose("New status of Arrival", "Arrived")
    browser.click_button("Save Arrival")  # no date: refused beside the field
    assert (
        "the actual date is needed"
        in browser.driver.find_element("id", "mobility-arrival-date-error").text
    )
    browser.check("application-mobility-error", lang)
    today = date.today()
    browser.fill("Date of Arrival", today.isoformat())
    browser.click_button("Save Arrival")
    assert "Arrival: Arrived. Saved." in browser.text, browser.text
    assert f"Actual: {today.day} {today:%B} {today.year}" in browser.text
    browser.check("application-mobility-host", lang)
    for language in ("en", "ja", "hi"):
        act_as(browser, system, people, "secretariat-JP", language)
        browser.open("/console/mobility?stage=arrived")
        assert exchange["reference"] in browser.text
        browser.check("mobility-pipeline", language)
        browser.open(page)
        browser.check("application-mobility", language)
    assert not browser.violations, browser.violations_report()
