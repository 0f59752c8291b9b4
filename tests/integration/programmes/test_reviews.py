"""Expert review on both databases: assignment, the declaration before any reading, scores
submitted once (two reviewers at once, and one review twice at once), who sees what, and the
ranking against the envelope."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Engine

from tests.integration.programmes.conftest import (
    Caller,
    Partners,
    new_auditor,
    new_organisation,
    propose,
)
from tests.integration.programmes.test_calls import events_of, open_call, submit
from tests.support.people import signed_in

SCORES = {
    "merit": {"score": 4, "comment": "Sound method."},
    "impact": {"score": 2, "comment": "Narrow reach."},
}


def reviewer(secretariat: Caller, engine: Engine, panel: dict[str, Any]) -> Caller:
    token = signed_in(secretariat, engine, panel["id"], "reviewer", language="en")
    return Caller(secretariat.client, token)


def under_review(
    secretariat: Caller, partners: Partners, call: dict[str, Any], **overrides: Any
) -> dict[str, Any]:
    programme = propose(partners, call_id=call["id"], **overrides)
    assert submit(partners.jp_caller, programme["id"]).status_code == 200
    started = secretariat.post(
        f"/v1/programmes/{programme['id']}/transitions", {"action": "start_review"}
    )
    assert started.status_code == 200, started.json
    return started.json


def assign(secretariat: Caller, programme_id: str, person_id: str):
    return secretariat.post(
        f"/v1/programmes/{programme_id}/reviews", {"reviewer_person_id": person_id}
    )


def me(caller: Caller) -> str:
    return caller.get("/v1/me").json["person"]["id"]


def test_a_reviewer_reads_nothing_before_declaring_and_a_conflict_ends_the_assignment(
    secretariat: Caller, partners: Partners, engine: Engine
):
    call = open_call(secretariat, engine)
    programme = under_review(secretariat, partners, call)
    panel = new_organisation(secretariat, "JP", kind="expert_panel")
    first, second = reviewer(secretariat, engine, panel), reviewer(secretariat, engine, panel)
    made = assign(secretariat, programme["id"], me(first))
    assert made.status_code == 201, made.json
    review_id = made.json["id"]
    assert events_of(engine, "review.assigned", review_id)[0]["data"]["reviewer"]["email"]
    # Before the declaration nothing of the proposal is readable, by any route.
    assert first.get(f"/v1/reviews/{review_id}/proposal").status_code == 404
    assert first.get(f"/v1/programmes/{programme['id']}").status_code == 404
    assert first.get(f"/v1/programmes/{programme['id']}/reviews").status_code == 404
    # Another reviewer does not know the assignment exists.
    assert second.get(f"/v1/reviews/{review_id}").status_code == 404
    assert second.get(f"/v1/reviews/{review_id}/proposal").status_code == 404
    assert second.get("/v1/reviews").json["items"] == []
    # Scores before the declaration: not now.
    early = first.post(f"/v1/reviews/{review_id}/submission", {"scores": SCORES})
    assert early.status_code == 409
    # The secretariat does not declare for a reviewer.
    by_other = secretariat.post(f"/v1/reviews/{review_id}/declaration", {"declaration": "none"})
    assert by_other.status_code == 403
    declared = first.post(f"/v1/reviews/{review_id}/declaration", {"declaration": "none"})
    assert declared.status_code == 200 and declared.json["status"] == "in_progress"
    readable = first.get(f"/v1/reviews/{review_id}/proposal")
    assert readable.status_code == 200 and readable.json["id"] == programme["id"]
    # The second declares a conflict: its assignment ends and the secretariat is told.
    other = assign(secretariat, programme["id"], me(second)).json["id"]
    no_reason = second.post(f"/v1/reviews/{other}/declaration", {"declaration": "conflict"})
    assert no_reason.status_code == 422 and "reason" in no_reason.json["errors"]
    conflict = second.post(
        f"/v1/reviews/{other}/declaration",
        {"declaration": "conflict", "reason": "I co-authored with the lead."},
    )
    assert conflict.status_code == 200 and conflict.json["status"] == "conflicted"
    assert second.get(f"/v1/reviews/{other}/proposal").status_code == 404
    assert events_of(engine, "conflict.declared", other)[0]["data"]["reason"]


def test_assignment_rules(secretariat: Caller, partners: Partners, engine: Engine):
    call = open_call(secretariat, engine)
    programme = under_review(secretariat, partners, call)
    panel = new_organisation(secretariat, "JP", kind="expert_panel")
    expert = reviewer(secretariat, engine, panel)
    # A person of a partner organisation of the programme: 409.
    partner_person = partners.jp_caller.post(
        f"/v1/organisations/{partners.jp['id']}/people",
        {"name": "Aiko", "email": "aiko@example.org", "role": "partner", "language": "ja"},
    ).json["id"]
    assert assign(secretariat, programme["id"], partner_person).status_code == 409
    assert assign(secretariat, programme["id"], "no-such-person").status_code == 422
    # Partners and auditors do not assign; a reviewer is assigned once.
    assert assign(partners.jp_caller, programme["id"], me(expert)).status_code == 403
    assert assign(new_auditor(secretariat), programme["id"], me(expert)).status_code == 403
    assert assign(secretariat, programme["id"], me(expert)).status_code == 201
    assert assign(secretariat, programme["id"], me(expert)).status_code == 409
    # A programme not yet under review: 409.
    waiting = propose(partners, call_id=call["id"])
    assert assign(secretariat, waiting["id"], me(expert)).status_code == 409


def _at_once(*calls) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    answers: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        answers[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_two_reviewers_submitting_at_once_both_count_and_a_review_is_submitted_once(
    secretariat: Caller, partners: Partners, engine: Engine, app
):
    call = open_call(secretariat, engine)
    programme = under_review(secretariat, partners, call)
    panel = new_organisation(secretariat, "JP", kind="expert_panel")
    experts = [reviewer(secretariat, engine, panel) for _ in range(2)]
    ids = []
    for expert in experts:
        review_id = assign(secretariat, programme["id"], me(expert)).json["id"]
        expert.post(f"/v1/reviews/{review_id}/declaration", {"declaration": "none"})
        ids.append(review_id)
    # Separate clients: each thread its own connection.
    callers = [Caller(app.test_client(), e.key) for e in experts]
    answers = _at_once(
        *[
            (lambda c=c, i=i: c.post(f"/v1/reviews/{i}/submission", {"scores": SCORES}))
            for c, i in zip(callers, ids, strict=True)
        ]
    )
    assert [a.status_code for a in answers] == [200, 200], [a.json for a in answers]
    # Submitted: immutable.
    again = experts[0].post(f"/v1/reviews/{ids[0]}/submission", {"scores": SCORES})
    assert again.status_code == 409
    # Secretariat sees both, named; partners see them without reviewers.
    named = secretariat.get(f"/v1/programmes/{programme['id']}/reviews").json
    assert [r["weighted_score"] for r in named] == ["3.50", "3.50"]
    assert all(r["reviewer"]["name"] for r in named)
    anonymous = partners.jp_caller.get(f"/v1/programmes/{programme['id']}/reviews").json
    assert len(anonymous) == 2
    names = {r["reviewer"]["name"] for r in named}
    assert not any(name in str(anonymous) for name in names)
    assert all("reviewer" not in r for r in anonymous)
    ranking = secretariat.get(f"/v1/calls/{call['id']}/ranking")
    assert ranking.status_code == 200, ranking.json
    row = ranking.json["proposals"][0]
    assert row["weighted_mean"] == 3.5 and row["review_count"] == 2


def test_one_review_submitted_twice_at_once_is_submitted_once(
    secretariat: Caller, partners: Partners, engine: Engine, app
):
    call = open_call(secretariat, engine)
    programme = under_review(secretariat, partners, call)
    panel = new_organisation(secretariat, "JP", kind="expert_panel")
    expert = reviewer(secretariat, engine, panel)
    review_id = assign(secretariat, programme["id"], me(expert)).json["id"]
    expert.post(f"/v1/reviews/{review_id}/declaration", {"declaration": "none"})
    callers = [Caller(app.test_client(), expert.key) for _ in range(2)]
    other = {
        "merit": {"score": 1, "comment": "Weak."},
        "impact": {"score": 1, "comment": "Weak."},
    }
    answers = _at_once(
        lambda: callers[0].post(f"/v1/reviews/{review_id}/submission", {"scores": SCORES}),
        lambda: callers[1].post(f"/v1/reviews/{review_id}/submission", {"scores": other}),
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    assert len(events_of(engine, "review.submitted", review_id)) == 1


def test_the_ranking_orders_by_mean_and_draws_the_envelope_line(
    secretariat: Caller, partners: Partners, engine: Engine
):
    call = open_call(secretariat, engine, budget_envelope={"JPY": "60000000", "INR": "1000"})
    panel = new_organisation(secretariat, "JP", kind="expert_panel")
    expert = reviewer(secretariat, engine, panel)
    programmes = [under_review(secretariat, partners, call) for _ in range(2)]
    for programme, merit in zip(programmes, (2, 5), strict=True):
        review_id = assign(secretariat, programme["id"], me(expert)).json["id"]
        expert.post(f"/v1/reviews/{review_id}/declaration", {"declaration": "none"})
        scores = {**SCORES, "merit": {"score": merit, "comment": "ok"}}
        submitted = expert.post(f"/v1/reviews/{review_id}/submission", {"scores": scores})
        assert submitted.status_code == 200, submitted.json
    ranking = new_auditor(secretariat).get(f"/v1/calls/{call['id']}/ranking").json
    assert [p["programme_id"] for p in ranking["proposals"]] == [
        programmes[1]["id"],
        programmes[0]["id"],
    ]
    # Each asks 50,000,000 JPY: the first fits the 60,000,000 envelope, the second does not.
    assert [p["running_total"]["JPY"] for p in ranking["proposals"]] == ["50000000", "100000000"]
    assert ranking["envelope_line"] == {"JPY": 1, "INR": 2}
    assert partners.jp_caller.get(f"/v1/calls/{call['id']}/ranking").status_code == 403
    assert expert.get(f"/v1/calls/{call['id']}/ranking").status_code == 403


def test_a_reviewer_is_reminded_once_before_the_review_is_due(
    secretariat: Caller, partners: Partners, engine: Engine
):
    from datetime import datetime, timedelta

    from tests.integration.programmes.test_calls import tick

    call = open_call(secretariat, engine)
    programme = under_review(secretariat, partners, call)
    panel = new_organisation(secretariat, "JP", kind="expert_panel")
    expert = reviewer(secretariat, engine, panel)
    made = assign(secretariat, programme["id"], me(expert)).json
    due = datetime.fromisoformat(made["due_at"])
    assert tick(engine, due - timedelta(days=3))["reviewers_reminded"] == 0
    assert tick(engine, due - timedelta(days=1))["reviewers_reminded"] == 1
    assert tick(engine, due - timedelta(hours=1))["reviewers_reminded"] == 0
    reminders = events_of(engine, "review.reminder", made["id"])
    assert len(reminders) == 1 and reminders[0]["data"]["reviewer"]["language"] == "en"


def test_a_deactivated_reviewer_is_erased_from_its_review_events(
    secretariat: Caller, partners: Partners, engine: Engine
):
    call = open_call(secretariat, engine)
    programme = under_review(secretariat, partners, call)
    panel = new_organisation(secretariat, "JP", kind="expert_panel")
    expert = reviewer(secretariat, engine, panel)
    person_id = me(expert)
    review_id = assign(secretariat, programme["id"], person_id).json["id"]
    [assigned] = events_of(engine, "review.assigned", review_id)
    assert assigned["data"]["reviewer"]["email"]
    gone = secretariat.client.delete(f"/v1/people/{person_id}", headers=secretariat.headers())
    assert gone.status_code == 204, gone.json
    [assigned] = events_of(engine, "review.assigned", review_id)
    assert assigned["data"]["reviewer"]["email"] is None
    assert assigned["data"]["reviewer"]["name"] is None
    assert secretariat.get(f"/v1/reviews/{review_id}").json["reviewer"]["name"] is None
