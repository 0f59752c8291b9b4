"""My work over a fake API: the one read it makes (GET /v1/me/work, and the secretariat's
screening work beside it), and what it shows of each queue."""

from __future__ import annotations

import re
import threading

from tests.unit.console.fake_api import sign_in
from tests.unit.console.test_console_pages import SCREENED_JP, programme


def queue(name, items=(), total=None, status=None, actions=()):
    """A queue of GET /v1/me/work, as the API answers it."""
    return {
        "name": name,
        "status": status,
        "allowed_action": list(actions),
        "total": len(items) if total is None else total,
        "items": list(items),
    }


def work(programmes=(), applications=()):
    return {"programmes": list(programmes), "applications": list(applications)}


def test_my_work_shows_each_queue_the_api_answers_in_its_order_and_words(client, api):
    """One read answers each queue of the person's role, its things already those this person
    may act on, longest unchanged first: the console shows them in that order, headed by the
    queue's words, with the API's count."""
    sign_in(client, role="secretariat", side="JP")
    older = programme(id="p2", reference="JIP-2027-0002", updated_at="2026-11-01T00:00:00+00:00")
    answer = work(
        [
            queue("programmes_to_start_review"),
            queue("programmes_to_approve", [older, programme()], actions=["approve"]),
            queue("programmes_to_activate"),
        ],
        [queue("applications_to_decide", status="endorsed"), queue("waitlisted_applications")],
    )
    api.answer("GET", "/v1/me/work", 200, answer)
    api.answer("GET", "/v1/screenings/work", 200, {"due": [], "licences": []})
    html = client.get("/console/").get_data(as_text=True)
    section = html.split("Programmes awaiting your side")[-1].split("</table>")[0]
    assert re.findall(r"JIP-2027-000\d", section) == ["JIP-2027-0002", "JIP-2027-0001"]
    headings = re.findall(r'<h2 class="heading-m">([^<]+) <span', html)
    assert headings[:5] == [
        "Programmes to start reviewing",
        "Programmes awaiting your side's approval",
        "Approved programmes to activate",
        "Applications to decide",
        "Waitlisted applications",
    ]
    asked = sorted((c["path"], c["args"].get("page_size")) for c in api.received)
    assert asked == [("/v1/me/work", "20"), ("/v1/screenings/work", None)]
    assert all(c["authorization"] == "Bearer setus_session.secret" for c in api.received)


def test_my_work_counts_exactly_what_the_api_counts_and_shows_the_oldest_20(client, api):
    """Of 250 drafts to submit the API answers the oldest 20 and a total of 250: the section
    says 250, exactly, and that it shows the oldest 20 of them."""
    sign_in(client, role="partner")
    drafts = [programme(id=f"p{n}", status="draft", allowed_actions=["submit"]) for n in range(20)]
    answer = work(
        [queue("programme_drafts_to_submit", drafts, total=250, status="draft")],
        [queue("application_drafts_to_submit")],
    )
    api.answer("GET", "/v1/me/work", 200, answer)
    html = client.get("/console/").get_data(as_text=True)
    section = html.split("Drafts ready to submit", 1)[1].split("</li>")[0]
    assert '<span class="count">250</span>' in section
    assert section.count("/console/programmes/p") == 20
    assert "The oldest 20 of 250." in section
    applications = html.split("Application drafts to submit")[1].split("</li>")[0]
    assert '<span class="count">0</span>' in applications and "None." in applications
    assert [c["path"] for c in api.received] == ["/v1/me/work"]


def test_my_work_reads_the_secretariats_work_and_screenings_at_once(client, api):
    """A page waits for its slowest read, not for their sum: each read is held until both
    have arrived, which they do only if neither waits for the other."""
    sign_in(client, role="secretariat", side="IN")
    api.answer("GET", "/v1/me/work", 200, work())
    api.answer("GET", "/v1/screenings/work", 200, {"due": [], "licences": []})
    all_arrived = threading.Barrier(2, timeout=5)
    api.before_answer = lambda _request: all_arrived.wait()
    answer = client.get("/console/", headers={"X-Correlation-Id": "corr-my-work"})
    assert answer.status_code == 200
    assert sorted(c["path"] for c in api.received) == ["/v1/me/work", "/v1/screenings/work"]
    # Each read, in a thread of its own, carries the page's correlation id.
    assert {c["headers"].get("X-Correlation-Id") for c in api.received} == {"corr-my-work"}


def test_my_work_shows_the_secretariat_its_screenings_due_and_licences_expiring(client, api):
    sign_in(client, role="secretariat", side="IN")
    api.answer("GET", "/v1/me/work", 200, work())
    due = {
        "programme_id": "p1",
        "reference": "JIP-2027-0001",
        "title": "Chiplet packaging for edge AI",
        "status": "under_review",
        "updated_at": "2026-12-02T00:00:00+00:00",
        "sides": ["IN"],
    }
    licence = {
        **SCREENED_JP,
        "jurisdiction": "IN",
        "licence": {"number": "DGFT-7", "authority": "DGFT", "valid_until": "2026-12-20"},
        "programme_reference": "JIP-2027-0009",
        "programme_title": "Wafer test",
        "expires_on": "2026-12-21",
        "expired": False,
    }
    api.answer("GET", "/v1/screenings/work", 200, {"due": [due], "licences": [licence]})
    html = client.get("/console/").get_data(as_text=True)
    screenings = html.split("Screenings due")[-1].split("</table>")[0]
    assert "JIP-2027-0001" in screenings and "/console/programmes/p1#export-control" in screenings
    licences = html.split("Licences expiring")[-1].split("</table>")[0]
    assert "DGFT-7 (DGFT)" in licences and "Expires within 30 days" in licences
