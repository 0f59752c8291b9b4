"""Calls for proposals and expert review in a real browser over the whole topology of
`setu up` (issue 32): the secretariat creates a call in the console and the clock opens it;
two programmes answer it (one proposed through the console's form, choosing the call); three
reviewers, people of an expert panel, come in by the links of their assignment emails, sign
in, declare their conflicts of interest first (one declares a conflict) and review through
the console; the ranking shows the envelope line; the call closes by the clock and a late
submission is refused with its message on the page. axe-core runs on every page (0 serious
or critical violations); each new kind of page is saved in English, Japanese and Hindi under
test-artifacts/console/<language>/.

The relay runs the calls' clock every second here (CALL_CLOCK_SECONDS), so that the call
opens and closes at its own times within the test.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.console_actors import People, act_as, link_in_email, sign_in_as_person
from tests.e2e.topology import RunningSetu, confirm_participation, running_setu
from tests.support.browser import Browser
from tests.support.infra import wait_until
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.e2e

ZONE = "Asia/Kolkata"
# The call opens this long after its form is filled in, and closes this long after it opens:
# long enough for both programmes to be submitted while it is open.
OPENS_IN = timedelta(seconds=20)
OPEN_FOR = timedelta(seconds=100)
LANGUAGE_BUTTONS = {"ja": "日本語", "hi": "हिन्दी", "en": "English"}


@pytest.fixture(scope="module")
def system(tmp_path_factory, redis_url, smtp) -> Iterator[RunningSetu]:
    data_dir = tmp_path_factory.mktemp("calls-e2e")
    with running_setu(data_dir, redis_url, smtp.port, CALL_CLOCK_SECONDS="1") as running:
        yield running


def in_every_language(browser: Browser, name: str) -> None:
    """This page checked in English, then switched to Japanese and Hindi with the page's
    own language buttons and checked again, then back to English."""
    browser.check(name, "en")
    for lang in ("ja", "hi"):
        browser.click_button(LANGUAGE_BUTTONS[lang])
        assert browser.driver.find_element("tag name", "html").get_attribute("lang") == lang
        browser.check(name, lang)
    browser.click_button(LANGUAGE_BUTTONS["en"])


def expert_panel(system: RunningSetu, people: People, names: list[str]) -> list[dict]:
    """An expert panel and its reviewers, people who sign in (the panel has no keys)."""
    key = people.keys["secretariat-JP"][0]
    panel = system.api(
        "POST",
        "/v1/organisations",
        key,
        json={
            "name": f"AI Review Panel {uuid.uuid4().hex[:4]}",
            "country": "JP",
            "kind": "expert_panel",
            "contact_email": "panel@jp.example.org",
        },
    )
    assert panel.status_code == 201, panel.text
    reviewers = []
    for name in names:
        made = system.api(
            "POST",
            f"/v1/organisations/{panel.json()['id']}/people",
            key,
            json={
                "name": name,
                "email": f"{uuid.uuid4().hex[:8]}@panel.example",
                "role": "reviewer",
                "language": "en",
            },
        )
        assert made.status_code == 201, made.text
        reviewers.append(made.json())
    return reviewers


def proposal(people: People, title: str, jpy: str) -> dict:
    return {
        "title": title,
        "summary": "A proposal answering the call.",
        "focus_area": "ai_research",
        "partners": [
            {"organisation_id": people.keys["partner-JP"][1]["organisation_id"], "role": "lead"},
            {"organisation_id": people.keys["partner-IN"][1]["organisation_id"], "role": "lead"},
        ],
        "start_date": "2027-06-01",
        "end_date": "2029-05-31",
        "budget": [
            {
                "organisation_id": people.keys["partner-JP"][1]["organisation_id"],
                "currency": "JPY",
                "amount": jpy,
            }
        ],
        "exchange_slots": 2,
    }


def review_link(system: RunningSetu, smtp: SmtpServer, key: str, programme_id: str, person: dict):
    """The link of the email that told ``person`` of its assignment to ``programme_id``."""
    items = system.api("GET", "/v1/reviews", key, params={"programme_id": programme_id})
    found = next(i["id"] for i in items.json()["items"] if i["reviewer"]["id"] == person["id"])
    return link_in_email(smtp, person["email"], f"/console/reviews/{found}")


def review_through_the_console(browser: Browser, scores: dict[str, tuple[str, str]]) -> None:
    """On a review's page: no conflict declared, then every criterion scored, submitted."""
    browser.tick("No, I have no conflict of interest")
    browser.click_button("Declare")
    assert "The proposal is below." in browser.text, browser.text
    for criterion, (score, comment) in scores.items():
        browser.choose(f"Score for {criterion}", score)
        browser.fill(f"Comment on {criterion}", comment)
    browser.click_button("Submit the review")
    assert "Your review is submitted." in browser.text, browser.text


def test_a_call_is_opened_answered_reviewed_ranked_and_closed_by_its_clock(
    browser, system, people, smtp
):
    secretariat = people.keys["secretariat-JP"][0]
    partner_jp, partner_in = people.keys["partner-JP"][0], people.keys["partner-IN"][0]
    r1, r2, r3 = expert_panel(
        system, people, ["Dr. Aiko Mori", "Prof. Rahul Iyer", "Dr. Kenji Sato"]
    )

    # The secretariat creates the call: first empty (the API's 422 beside the fields).
    act_as(browser, system, people, "secretariat-JP", "en")
    browser.click_link("Calls")
    browser.click_link("Create a call")
    in_every_language(browser, "call-create")
    browser.click_button("Save the call as a draft")
    assert "There is a problem" in browser.text
    browser.check("call-create-errors", "en")
    now = datetime.now(ZoneInfo(ZONE))
    opens, closes = now + OPENS_IN, now + OPENS_IN + OPEN_FOR
    browser.fill("Title", "Edge AI accelerators 2027")
    browser.fill("Theme", "Chiplets, packaging and software for inference at the edge.")
    browser.tick("AI research")
    browser.tick("Semiconductor packaging")
    browser.choose("Time zone", "India Standard Time")  # ZONE, by its name
    browser.fill("Opens", opens.strftime("%Y-%m-%d %H:%M:%S"))
    browser.fill("Closes", closes.strftime("%Y-%m-%d %H:%M:%S"))
    browser.fill("Envelope in yen (JPY)", "60000000")
    browser.fill("Envelope in rupees (INR)", "10000000.00")
    browser.tick("University")
    browser.fill("Fewest partners", "2")
    browser.fill("Reviewers a proposal", "2")
    browser.fill("Days to review", "14")
    browser.fill("Criterion 1", "Scientific merit")
    browser.fill("Weight of criterion 1", "3")
    browser.fill("Criterion 2", "Feasibility")
    browser.fill("Weight of criterion 2", "1")
    browser.click_button("Save the call as a draft")
    assert "is saved as a draft" in browser.text, browser.text
    assert "¥60,000,000" in browser.text and "₹1,00,00,000.00" in browser.text
    assert "Scientific merit" in browser.text and "(India Standard Time)" in browser.text
    call_path = browser.path
    call_id = call_path.rsplit("/", 1)[-1]
    browser.check("call-draft", "en")

    # The clock opens it at its time.
    wait_until(
        lambda: system.api("GET", f"/v1/calls/{call_id}", secretariat).json()["status"] == "open",
        timeout=OPENS_IN.total_seconds() + 30,
        interval=0.5,
        message="the clock opens the call",
    )

    # Two programmes answer it: the first proposed through the console from the call's page.
    act_as(browser, system, people, "partner-JP", "en")
    browser.open(call_path)
    assert "Open" in browser.text
    browser.click_link("Propose a programme for this call")
    browser.fill("Title", "Chiplet inference at the edge")
    browser.fill("Summary", "Packaging and compilers for edge inference.")
    browser.choose("Focus area", "AI research")
    assert "Edge AI accelerators 2027" in browser.field("Call for proposals").text
    browser.fill("Start date", "2027-06-01")
    browser.fill("End date", "2029-05-31")
    browser.choose("Partner 2", people.name("partner-IN"))
    browser.choose("Role of partner 2", "Lead")
    browser.choose("Budget line 1: paid by", people.name("partner-JP"))
    browser.fill("Budget line 1: amount", "50000000")
    browser.click_button("Create the draft")
    assert "Edge AI accelerators 2027" in browser.text, browser.text  # the call it answers
    first = browser.path.rsplit("/", 1)[-1]
    made = [
        system.api("POST", "/v1/programmes", partner_jp, json={**body, "call_id": call_id})
        for body in (
            proposal(people, "Federated learning for crop disease", "40000000"),
            proposal(people, "Late answer to the call", "10000000"),
        )
    ]
    assert all(m.status_code == 201 for m in made), [m.text for m in made]
    second, late = (m.json()["id"] for m in made)
    for programme_id in (first, second, late):
        confirm_participation(system, partner_in, programme_id)
    for programme_id in (first, second):
        submitted = system.api(
            "POST",
            f"/v1/programmes/{programme_id}/transitions",
            partner_jp,
            json={"action": "submit"},
        )
        assert submitted.status_code == 200, submitted.text
        started = system.api(
            "POST",
            f"/v1/programmes/{programme_id}/transitions",
            secretariat,
            json={"action": "start_review"},
        )
        assert started.status_code == 200, started.text

    # The secretariat assigns reviewers on each programme's page.
    act_as(browser, system, people, "secretariat-JP", "en")
    browser.open(call_path)
    in_every_language(browser, "call-open")
    for programme_id, reviewer in ((first, r1), (second, r2), (second, r3), (first, r3)):
        browser.open(f"/console/programmes/{programme_id}")
        browser.choose("Reviewer", reviewer["name"])
        browser.click_button("Assign this reviewer")
        assert f"{reviewer['name']} is assigned" in browser.text, browser.text
    browser.check("programme-reviewers-assigned", "en")

    # Dr. Sato comes in by the link of the email of his latest assignment, and declares a
    # conflict with the first programme; then reviews the second from My work.
    link = review_link(system, smtp, secretariat, first, r3)
    browser.delete_cookies()
    browser.driver.get(link)
    sign_in_as_person(browser, system, smtp, r3, "en")
    assert browser.path == link.removeprefix(system.base_url), browser.path
    assert "Chiplet inference at the edge" in browser.text
    assert "Packaging and compilers" not in browser.text  # nothing of it before declaring
    in_every_language(browser, "review-declaration")
    browser.click_button("Declare")
    assert "Choose whether you have a conflict of interest." in browser.text
    browser.tick("Yes, I have a conflict of interest")
    browser.click_button("Declare")
    assert "There is a problem" in browser.text  # a conflict needs its reason
    browser.check("review-declaration-errors", "en")
    browser.tick("Yes, I have a conflict of interest")
    browser.fill("Reason for the conflict", "I co-authored with the JP lead in 2025.")
    browser.click_button("Declare")
    assert "This assignment has ended" in browser.text
    assert "Packaging and compilers" not in browser.text
    browser.check("review-conflict", "en")
    browser.click_link("Back to My work")
    in_every_language(browser, "my-work-reviewer")
    browser.click_link(
        system.api("GET", f"/v1/programmes/{second}", secretariat).json()["reference"]
    )
    browser.tick("No, I have no conflict of interest")
    browser.click_button("Declare")
    in_every_language(browser, "review-form")
    browser.click_button("Submit the review")
    assert "There is a problem" in browser.text  # nothing scored
    browser.check("review-form-errors", "en")
    for criterion, (score, comment) in {
        "Scientific merit": ("2", "Incremental."),
        "Feasibility": ("4", "A sound plan."),
    }.items():
        browser.choose(f"Score for {criterion}", score)
        browser.fill(f"Comment on {criterion}", comment)
    browser.click_button("Submit the review")
    assert "Your review is submitted." in browser.text
    assert "2.5" in browser.text
    in_every_language(browser, "review-submitted")
    sato_review = browser.path

    # The secretariat sees the conflict and assigns Prof. Iyer in his place.
    act_as(browser, system, people, "secretariat-JP", "en")
    browser.open(f"/console/programmes/{first}")
    assert "I co-authored with the JP lead in 2025." in browser.text
    browser.choose("Reviewer", r2["name"])
    browser.click_button("Assign this reviewer")

    # Prof. Iyer reviews both from the new email's link and his My work.
    link = review_link(system, smtp, secretariat, first, r2)
    browser.delete_cookies()
    browser.driver.get(link)
    sign_in_as_person(browser, system, smtp, r2, "en")
    review_through_the_console(
        browser, {"Scientific merit": ("4", "Strong."), "Feasibility": ("4", "Realistic.")}
    )
    browser.open(sato_review)
    assert "Page not found" in browser.text  # another reviewer's review
    browser.check("review-not-found", "en")
    browser.click_link("Go to My work")
    browser.click_link(
        system.api("GET", f"/v1/programmes/{second}", secretariat).json()["reference"]
    )
    review_through_the_console(
        browser, {"Scientific merit": ("3", "Solid."), "Feasibility": ("3", "Tight budget.")}
    )

    # Dr. Mori reviews the first.
    link = review_link(system, smtp, secretariat, first, r1)
    browser.delete_cookies()
    browser.driver.get(link)
    sign_in_as_person(browser, system, smtp, r1, "en")
    review_through_the_console(
        browser,
        {"Scientific merit": ("5", "Excellent science."), "Feasibility": ("4", "Feasible.")},
    )

    # The ranking: the first (4.38) within the envelope, the second (2.75) past it in yen.
    act_as(browser, system, people, "secretariat-JP", "en")
    browser.open(call_path)
    browser.click_link("Ranking of the proposals")
    text = browser.text
    assert text.index("Chiplet inference at the edge") < text.index("Envelope reached here")
    assert text.index("Envelope reached here") < text.index("Federated learning")
    assert "4.38" in text and "2.75" in text and "¥90,000,000" in text
    assert "over the envelope" in text
    line = browser.driver.find_element("css selector", "tr.envelope-line")
    assert "JPY" in line.text and "¥60,000,000" in line.text
    in_every_language(browser, "call-ranking")
    browser.open(f"/console/programmes/{first}")
    assert "Weighted mean score: 4.38 out of 5" in browser.text
    in_every_language(browser, "programme-reviews")

    # Partners read the reviews without reviewers' names, and cannot read the ranking.
    act_as(browser, system, people, "partner-JP", "en")
    browser.open(f"/console/programmes/{first}")
    assert "Reviewer 1" in browser.text and "Excellent science." in browser.text
    assert "Scientific merit: 5/5" in browser.text  # the call's labels for partners too
    assert all(r["name"] not in browser.text for r in (r1, r2, r3))
    browser.check("programme-reviews-partner", "en")
    browser.open(f"{call_path}/ranking")
    assert "You cannot see this page" in browser.text
    browser.check("call-ranking-refused", "en")

    # The call closes by its clock; the third programme, submitted late, is refused.
    wait_until(
        lambda: system.api("GET", f"/v1/calls/{call_id}", secretariat).json()["status"] == "closed",
        timeout=OPEN_FOR.total_seconds() + 60,
        interval=0.5,
        message="the clock closes the call",
    )
    browser.open(f"/console/programmes/{late}")
    browser.click_button("Submit")
    assert "The call this programme answers closed at" in browser.text, browser.text
    assert "it takes no more proposals" in browser.text
    browser.check("programme-late-submission", "en")
    browser.open(call_path)
    assert "Closed" in browser.text
    act_as(browser, system, people, "secretariat-JP", "en")
    browser.click_link("Calls")
    in_every_language(browser, "calls-list")

    assert browser.pages_checked >= 40
    assert not browser.violations, browser.violations_report()
