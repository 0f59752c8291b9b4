"""Every figure of every report equals a count made directly from the programmes database.

`setu up` runs the whole system. A seeded burst of a few hundred random programme and
application operations goes through the gateway's HTTP API (invalid ones included: they must
get a 4xx, never a 5xx). Once the reports service has applied every event the programmes
service wrote, each of the four report types is generated as JSON over a period covering
everything, and each table is compared, row by row and figure by figure, with the counts of
tests/e2e/consistency_model.py, made from the programmes service's own SQLite database.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e import consistency_model as model
from tests.e2e.topology import RunningSetu, running_setu

pytestmark = pytest.mark.e2e

SEED = 20261124
OPERATIONS = 400
FOCUS_AREAS = (
    "semiconductor_design",
    "semiconductor_packaging",
    "ai_research",
    "ai_healthcare",
    "talent_development",
)
CAREER_STAGES = ("undergraduate", "masters", "phd", "postdoc", "faculty", "engineer")
# The tables of docs/product.md, as a client knows them: status -> actions that make sense there.
PROGRAMME_MOVES = {
    "draft": ("submit",) * 5 + ("withdraw",),
    "submitted": ("start_review",) * 5 + ("withdraw",),
    "under_review": ("approve",) * 8 + ("reject", "request_changes", "withdraw"),
    "changes_requested": ("submit",) * 4 + ("withdraw",),
    "approved": ("activate",) * 4 + ("cancel", "withdraw"),
    # active: left alone mostly (a random action now and then), open for applications.
}
PROGRAMME_ACTIONS = (
    *("submit", "start_review", "request_changes", "approve", "reject"),
    *("activate", "complete", "withdraw", "cancel"),
)
APPLICATION_MOVES = {
    "draft": ("submit",) * 6 + ("withdraw",),
    "submitted": ("endorse",) * 5 + ("decline_hosting", "reject", "withdraw"),
    "endorsed": ("accept",) * 4 + ("waitlist", "reject", "withdraw"),
    "waitlisted": ("accept", "accept", "reject", "withdraw"),
    "accepted": ("withdraw",),
}
APPLICATION_ACTIONS = (
    *("submit", "endorse", "decline_hosting", "accept"),
    *("waitlist", "reject", "withdraw"),
)
OPEN = ("approved", "active")
NEEDS_COMMENT = {"request_changes", "reject", "cancel", "decline_hosting"}
# Who acts: the partner side of the thing, else the secretariat.
ACTOR = {"submit": "partner", "withdraw": "lead", "endorse": "host", "decline_hosting": "host"}
STATEMENT = "I would like to spend this exchange building the joint testbed with my hosts. " * 2


@dataclass
class Burst:
    """The client's view of the system while the random operations run."""

    system: RunningSetu
    rng: random.Random
    secretariat: dict[str, str]  # side -> key
    orgs: list[dict]  # {id, name, country, key}
    programmes: dict[str, dict] = field(default_factory=dict)  # id -> last answer
    applications: dict[str, dict] = field(default_factory=dict)  # id -> last answer
    outcomes: Counter = field(default_factory=Counter)
    calls: list[str] = field(default_factory=list)  # open calls a programme may answer
    # Its own draws: the burst's other choices stay what they were before calls existed.
    call_rng: random.Random = field(default_factory=lambda: random.Random(SEED + 1))
    # Screenings before approvals, on their own draws too (not counted among the operations).
    screen_rng: random.Random = field(default_factory=lambda: random.Random(SEED + 2))

    def call(self, operation: str, method: str, path: str, key: str, body: dict) -> dict | None:
        """Send one request; every answer is below 500; the body of a 2xx, else None."""
        answer = self.system.api(method, path, key, json=body)
        self.outcomes[(operation, answer.status_code)] += 1
        assert answer.status_code < 500, f"{method} {path} {body}: {answer.text}"
        if answer.status_code >= 400:
            assert answer.json()["code"], answer.text
            return None
        return answer.json() if answer.content else {}

    def org(self, organisation_id: str) -> dict:
        return next(o for o in self.orgs if o["id"] == organisation_id)


def register(system: RunningSetu, secretariat: str, country: str, n: int) -> dict:
    name = f"{country} institute {n} {uuid.uuid4().hex[:6]}"
    created = system.api(
        "POST",
        "/v1/organisations",
        secretariat,
        json={
            "name": name,
            "country": country,
            "kind": "university" if n % 2 else "research_institute",
            "contact_email": f"office{n}@{country.lower()}.example.org",
        },
    )
    assert created.status_code == 201, created.text
    org = created.json()
    key = system.api(
        "POST",
        f"/v1/organisations/{org['id']}/api-keys",
        secretariat,
        json={"name": f"burst-{n}", "role": "partner"},
    )
    assert key.status_code == 201, key.text
    return {"id": org["id"], "name": name, "country": country, "key": key.json()["key"]}


def amount(rng: random.Random, currency: str) -> str:
    if currency == "JPY":
        return str(rng.randint(0, 90_000_000)) if rng.random() > 0.03 else "12.5"
    return f"{rng.randint(0, 9_000_000)}.{rng.randint(0, 99):02d}"


def budget(rng: random.Random, partner_ids: list[str]) -> list[dict]:
    return [
        {
            "organisation_id": rng.choice(partner_ids),
            "currency": currency,
            "amount": amount(rng, currency),
        }
        for currency in rng.choices(("JPY", "INR"), k=rng.randint(0, 3))
    ]


def partners(burst: Burst, creator: dict) -> list[dict]:
    """The creator and one organisation of the other country lead (mostly); 0-2 members."""
    rng = burst.rng
    other = rng.choice([o for o in burst.orgs if o["country"] != creator["country"]])
    rest = [o for o in burst.orgs if o["id"] not in (creator["id"], other["id"])]
    both_lead = rng.random() < 0.85
    chosen = [
        {"organisation_id": creator["id"], "role": "lead"},
        {"organisation_id": other["id"], "role": "lead" if both_lead else "member"},
    ]
    chosen += [
        {"organisation_id": o["id"], "role": "member"} for o in rng.sample(rest, rng.randint(0, 2))
    ]
    rng.shuffle(chosen)
    return chosen


def create_programme(burst: Burst) -> None:
    rng = burst.rng
    creator = rng.choice(burst.orgs)
    chosen = partners(burst, creator)
    start = datetime.now(UTC).date() + timedelta(days=rng.randint(30, 400))
    body = {
        "title": f"Joint programme {rng.randint(1, 10**6)}",
        "focus_area": rng.choice(FOCUS_AREAS),
        "partners": chosen,
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=rng.randint(180, 1500))).isoformat(),
        "budget": budget(rng, [p["organisation_id"] for p in chosen]),
        "exchange_slots": rng.randint(0, 4),
    }
    if burst.calls and burst.call_rng.random() < 0.4:
        body["call_id"] = burst.call_rng.choice(burst.calls)
    made = burst.call("create_programme", "POST", "/v1/programmes", creator["key"], body)
    if made:
        burst.programmes[made["id"]] = made


def edit_programme(burst: Burst) -> None:
    """A partner edits the budget or focus area (409 once the programme is past editing)."""
    rng = burst.rng
    programme = rng.choice(list(burst.programmes.values()))
    ids = [p["organisation_id"] for p in programme["partners"]]
    editor = burst.org(rng.choice(ids))
    if rng.random() < 0.5:
        body = {"budget": budget(rng, ids)}
    else:
        body = {"focus_area": rng.choice(FOCUS_AREAS)}
    path = f"/v1/programmes/{programme['id']}"
    edited = burst.call("edit_programme", "PATCH", path, editor["key"], body)
    if edited:
        burst.programmes[edited["id"]] = edited


def secretariat_key(burst: Burst, thing: dict) -> str:
    """A secretariat side; for an approval, mostly a side that has not approved yet."""
    sides = ["JP", "IN"]
    waiting = [s for s in sides if s not in thing.get("approvals", [])]
    return burst.secretariat[burst.rng.choice(waiting or sides)]


def programme_actor(burst: Burst, programme: dict, action: str) -> str:
    who = ACTOR.get(action, "secretariat")
    if who == "secretariat":
        return secretariat_key(burst, programme)
    chosen = programme["partners"]
    leads = [p for p in chosen if p["role"] == "lead"]
    pool = leads if who == "lead" and burst.rng.random() < 0.9 else chosen
    return burst.org(burst.rng.choice(pool)["organisation_id"])["key"]


def move(burst: Burst, moves: dict, actions: list[str], status: str) -> str:
    """Mostly an action that makes sense in this status, sometimes any action at all."""
    if status in moves and burst.rng.random() < 0.85:
        return burst.rng.choice(moves[status])
    return burst.rng.choice(actions)


def comment(burst: Burst, action: str) -> dict:
    if action in NEEDS_COMMENT and burst.rng.random() < 0.9:
        return {"comment": f"{action}: see the review notes"}
    return {}


def pick_live(burst: Burst, things: dict[str, dict], moves: dict) -> dict:
    """Mostly something that can still move; now and then anything."""
    live = [t for t in things.values() if t["status"] in moves]
    if live and burst.rng.random() < 0.9:
        return burst.rng.choice(live)
    return burst.rng.choice(list(things.values()))


SIDES = (("JP", "FEFTA", "METI"), ("IN", "SCOMET", "DGFT"))
SCREENING_OUTCOMES = ("cleared", "cleared", "licence_required", "licence_required", "denied")


def screen(burst: Burst, programme: dict) -> None:
    """Before an approval of a programme that needs screening, mostly, each side records
    one (a licence valid from some days ago to over a year ahead)."""
    rng = burst.screen_rng
    if programme.get("screening") != "pending" or rng.random() < 0.2:
        return
    for side, regime, authority in SIDES:
        outcome = rng.choice(SCREENING_OUTCOMES)
        body: dict[str, object] = {
            "jurisdiction": side,
            "regime": regime,
            "classification": "3E001",
            "basis": "list",
            "outcome": outcome,
        }
        if outcome == "licence_required":
            until = datetime.now(UTC).date() + timedelta(days=rng.randint(-20, 400))
            number = f"{authority}-{rng.randint(1, 10**6)}"
            body["licence"] = {"number": number, "authority": authority, "valid_until": str(until)}
        path = f"/v1/programmes/{programme['id']}/screenings"
        burst.system.api("POST", path, burst.secretariat[side], json=body)


def move_programme(burst: Burst) -> None:
    programme = pick_live(burst, burst.programmes, PROGRAMME_MOVES)
    action = move(burst, PROGRAMME_MOVES, PROGRAMME_ACTIONS, programme["status"])
    if action == "approve":
        screen(burst, programme)
    key = programme_actor(burst, programme, action)
    path = f"/v1/programmes/{programme['id']}/transitions"
    body = {"action": action, **comment(burst, action)}
    moved = burst.call(f"programme:{action}", "POST", path, key, body)
    if moved:
        burst.programmes[moved["id"]] = moved


def asked(burst: Burst) -> list[tuple[dict, dict]]:
    """(programme, partner) of each organisation still to answer a programme being prepared."""
    return [
        (programme, partner)
        for programme in burst.programmes.values()
        if programme["status"] in ("draft", "changes_requested")
        for partner in programme["partners"]
        if partner["participation"] == "pending"
    ]


def answer_participation(burst: Burst) -> None:
    """A named organisation answers: mostly it confirms; now and then it declines, and the
    programme stays a draft."""
    programme, partner = burst.rng.choice(asked(burst))
    decision = "confirm" if burst.rng.random() < 0.93 else "decline"
    key = burst.org(partner["organisation_id"])["key"]
    path = f"/v1/programmes/{programme['id']}/participation"
    answered = burst.call(f"participation:{decision}", "POST", path, key, {"decision": decision})
    if answered:
        burst.programmes[answered["id"]] = answered


def create_application(burst: Burst) -> None:
    rng = burst.rng
    open_ = [p for p in burst.programmes.values() if p["status"] in OPEN]
    programme = rng.choice(
        open_ if open_ and rng.random() < 0.9 else list(burst.programmes.values())
    )
    home = burst.org(rng.choice(programme["partners"])["organisation_id"])
    hosts = [
        p
        for p in programme["partners"]
        if burst.org(p["organisation_id"])["country"] != home["country"]
    ]
    host = rng.choice(hosts or programme["partners"])["organisation_id"]
    body = {
        "programme_id": programme["id"],
        "applicant": {
            "full_name": f"Applicant {rng.randint(1, 10**6)}",
            "email": f"applicant{rng.randint(1, 10**6)}@example.org",
            "nationality": home["country"],
        },
        "career_stage": rng.choice(CAREER_STAGES),
        "host_organisation_id": host,
        **exchange_dates(rng),
        "statement": STATEMENT,
    }
    made = burst.call("create_application", "POST", "/v1/applications", home["key"], body)
    if made:
        burst.applications[made["id"]] = made


def exchange_dates(rng: random.Random) -> dict:
    """Dates from 10 days ahead; 14-700 days long, or (1 in 20) too short: a 422."""
    start = datetime.now(UTC).date() + timedelta(days=rng.randint(10, 300))
    days = rng.randint(14, 700) if rng.random() > 0.05 else 7
    return {"start_date": start.isoformat(), "end_date": (start + timedelta(days=days)).isoformat()}


def edit_application(burst: Burst) -> None:
    """The home edits a draft's career stage or dates (409 once it has moved on)."""
    application = burst.rng.choice(list(burst.applications.values()))
    if burst.rng.random() < 0.5:
        body = {"career_stage": burst.rng.choice(CAREER_STAGES)}
    else:
        body = exchange_dates(burst.rng)
    key = burst.org(application["home_organisation_id"])["key"]
    path = f"/v1/applications/{application['id']}"
    edited = burst.call("edit_application", "PATCH", path, key, body)
    if edited:
        burst.applications[edited["id"]] = edited


def erase_applicant(burst: Burst) -> None:
    """The secretariat erases an applicant's personal data: the anonymous facts still count."""
    application = burst.rng.choice(list(burst.applications.values()))
    path = f"/v1/applications/{application['id']}/personal-data"
    burst.call("erase_applicant", "DELETE", path, burst.secretariat["JP"], {})


def application_actor(burst: Burst, application: dict, action: str) -> str:
    who = ACTOR.get(action, "secretariat")
    if who == "secretariat":
        return burst.secretariat[burst.rng.choice(("JP", "IN"))]
    side = "host_organisation_id" if who == "host" else "home_organisation_id"
    return burst.org(application[side])["key"]


def move_application(burst: Burst) -> None:
    application = pick_live(burst, burst.applications, APPLICATION_MOVES)
    action = move(burst, APPLICATION_MOVES, APPLICATION_ACTIONS, application["status"])
    key = application_actor(burst, application, action)
    path = f"/v1/applications/{application['id']}/transitions"
    body = {"action": action, **comment(burst, action)}
    moved = burst.call(f"application:{action}", "POST", path, key, body)
    if moved:
        burst.applications[moved["id"]] = moved


def run_burst(burst: Burst, operations: int) -> None:
    for _ in range(operations):
        choices = [(create_programme, 10)]
        if burst.programmes:
            is_open = any(p["status"] in OPEN for p in burst.programmes.values())
            choices += [(edit_programme, 3), (move_programme, 35)]
            if asked(burst):
                choices += [(answer_participation, 25)]
            choices += [(create_application, 16 if is_open else 1)]
        if burst.applications:
            choices += [(move_application, 30), (edit_application, 3), (erase_applicant, 1)]
        operation = burst.rng.choices([c[0] for c in choices], [c[1] for c in choices])[0]
        operation(burst)


def assert_burst_was_varied(burst: Burst, db: model.ProgrammesDatabase) -> None:
    """The burst reached every corner the reports count, so matching them proves something."""
    outcomes = sorted(burst.outcomes.items())
    statuses = Counter(p.status for p in db.programmes)
    assert len(statuses) >= 5, (statuses, outcomes)
    approved = sum(1 for p in db.programmes if p.approved_at)
    assert approved >= 3, (approved, outcomes)
    milestones = Counter(m for a in db.applications for m in a.milestones)
    for milestone in model.MILESTONES:
        assert milestones[milestone] >= 3, (milestone, milestones, outcomes)
    refused = sum(n for (_, status), n in burst.outcomes.items() if status >= 400)
    assert refused, f"the burst sent no invalid operation: {outcomes}"
    assert sum(burst.outcomes.values()) == OPERATIONS


def open_call(system: RunningSetu, key: str, n: int) -> str:
    """A call open now for every focus area, closing within the reports' period."""
    now = datetime.now(UTC)
    body = {
        "title": f"Consistency call {n}",
        "focus_areas": list(FOCUS_AREAS),
        "opens_at": (now - timedelta(hours=1)).isoformat(),
        "closes_at": (now + timedelta(hours=2)).isoformat(),
        "timezone": "Asia/Kolkata",
        "budget_envelope": {"JPY": "50000000", "INR": "900000.50"},
        "review": {
            "reviewers_per_proposal": 2,
            "criteria": [{"key": "merit", "label": "Merit", "weight": 1}],
            "due_days": 10,
        },
    }
    made = system.api("POST", "/v1/calls", key, json=body)
    assert made.status_code == 201, made.text
    opened = system.api(
        "POST", f"/v1/calls/{made.json()['id']}/transitions", key, json={"action": "open"}
    )
    assert opened.status_code == 200, opened.text
    return made.json()["id"]


def test_every_report_figure_equals_a_count_from_the_programmes_database(
    tmp_path, redis_url, smtp_server
):
    data = tmp_path / "data"
    with running_setu(data, redis_url, smtp_server.port, SETU_RATE_LIMIT="100000/minute") as system:
        secretariat = {side: system.bootstrap_key(side) for side in ("JP", "IN")}
        orgs = [
            register(system, secretariat["JP"], country, n)
            for n, country in enumerate(("JP", "IN", "JP", "IN", "JP", "IN"))
        ]
        burst = Burst(system, random.Random(SEED), secretariat, orgs)
        burst.calls = [open_call(system, secretariat["JP"], n) for n in range(2)]
        run_burst(burst, OPERATIONS)
        succeeded = sum(n for (_, status), n in burst.outcomes.items() if status < 400)
        # Each successful write put one event (at least) in the outbox.
        assert model.wait_for_events_to_settle(system.env["SETU_DATA_DIR"]) >= succeeded
        today = datetime.now(UTC).date()
        period = model.Period(today - timedelta(days=366), today + timedelta(days=1))
        documents = model.generate(system, secretariat["IN"], period)

    db = model.read_programmes_database(data / "programmes.db")
    assert_burst_was_varied(burst, db)
    model.assert_reports_match(documents, db, period)
