"""The five reports, counted again straight from the programmes service's own database.

Nothing here uses the reports service's code or read model: plain SQL over the programmes
service's tables (programmes, partners, budget lines, organisations, applications and the two
transition histories), then the definitions of docs/reports.md applied
in Python. A milestone's moment is the first transition of the aggregate into that status.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from setu_contract.messaging import REPORTS_QUEUE, SUBSCRIPTIONS
from tests.support.infra import wait_until

MILESTONES = ("submitted", "endorsed", "accepted", "rejected", "withdrawn")


@dataclass
class ProgrammeFact:
    id: str
    focus_area: str
    status: str
    created_at: datetime
    budget: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    partners: list[tuple[str, str]] = field(default_factory=list)  # (organisation id, role)
    approved_at: datetime | None = None
    call_id: str | None = None
    submitted_at: datetime | None = None


@dataclass
class CallFact:
    id: str
    title: str
    status: str
    closes_at: datetime
    envelope: dict[str, Decimal]


@dataclass
class ApplicationFact:
    direction: str
    career_stage: str
    home: str
    host: str
    days: int
    milestones: dict[str, datetime]


@dataclass
class ScreeningFact:
    programme_id: str
    person: bool
    side: str
    outcome: str
    recorded_at: datetime
    current: bool
    authority: str | None
    number: str | None
    valid_until: date | None


@dataclass
class ProgrammesDatabase:
    organisations: dict[str, tuple[str, str]]  # id -> (name, country)
    programmes: list[ProgrammeFact]
    applications: list[ApplicationFact]
    calls: list[CallFact] = field(default_factory=list)
    reviewed: set[str] = field(default_factory=set)  # programmes with a submitted review
    screenings: list[ScreeningFact] = field(default_factory=list)
    references: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (ref, title)


def moment(value: object) -> datetime:
    """A stored timestamp (SQLite keeps UTC text without an offset) as an aware UTC datetime."""
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def first_moments(conn, table: str, key: str) -> dict[tuple[str, str], datetime]:
    """(aggregate id, status) -> the first time the aggregate moved into that status."""
    rows = conn.execute(text(f"SELECT {key}, to_status, occurred_at FROM {table}"))
    first: dict[tuple[str, str], datetime] = {}
    for aggregate_id, status, occurred_at in rows:
        when = moment(occurred_at)
        if (aggregate_id, status) not in first or when < first[(aggregate_id, status)]:
            first[(aggregate_id, status)] = when
    return first


def _programmes(conn) -> list[ProgrammeFact]:
    facts = {
        pid: ProgrammeFact(pid, area, status, moment(created), call_id=call_id)
        for pid, area, status, created, call_id in conn.execute(
            text("SELECT id, focus_area, status, created_at, call_id FROM programmes")
        )
    }
    for pid, currency, amount in conn.execute(
        text("SELECT programme_id, currency, amount FROM budget_lines")
    ):
        facts[pid].budget[currency] += Decimal(amount)
    for pid, org, role in conn.execute(
        text("SELECT programme_id, organisation_id, role FROM programme_partners ORDER BY position")
    ):
        facts[pid].partners.append((org, role))
    for (pid, status), when in first_moments(conn, "programme_transitions", "programme_id").items():
        if status == "approved":
            facts[pid].approved_at = when
        if status == "submitted":
            facts[pid].submitted_at = when
    return list(facts.values())


def _calls(conn) -> list[CallFact]:
    rows = conn.execute(text("SELECT id, title, status, closes_at, budget_envelope FROM calls"))
    return [
        CallFact(
            cid,
            title,
            status,
            moment(closes),
            {c: Decimal(a) for c, a in (json.loads(env) if isinstance(env, str) else env).items()},
        )
        for cid, title, status, closes, env in rows
    ]


def _screenings(conn) -> list[ScreeningFact]:
    rows = conn.execute(
        text(
            "SELECT programme_id, application_id, jurisdiction, outcome, recorded_at, "
            "superseded_at, licence_authority, licence_number, licence_valid_until "
            "FROM screenings"
        )
    )
    return [
        ScreeningFact(
            pid,
            person is not None,
            side,
            outcome,
            moment(recorded),
            superseded is None,
            authority,
            number,
            day(until) if until else None,
        )
        for pid, person, side, outcome, recorded, superseded, authority, number, until in rows
    ]


def _applications(conn) -> list[ApplicationFact]:
    firsts = first_moments(conn, "application_transitions", "application_id")
    rows = conn.execute(
        text(
            "SELECT id, direction, career_stage, home_organisation_id, host_organisation_id, "
            "start_date, end_date FROM applications"
        )
    )
    return [
        ApplicationFact(
            direction,
            stage,
            home,
            host,
            (day(end) - day(start)).days,
            {m: firsts[(aid, m)] for m in MILESTONES if (aid, m) in firsts},
        )
        for aid, direction, stage, home, host, start, end in rows
    ]


def read_programmes_database(where: Path | str) -> ProgrammesDatabase:
    """The facts of the programmes database at ``where``: a SQLite file, or a URL."""
    engine = create_engine(where if isinstance(where, str) else f"sqlite:///{where}")
    try:
        with engine.connect() as conn:
            organisations = {
                oid: (name, country)
                for oid, name, country in conn.execute(
                    text("SELECT id, name, country FROM organisations")
                )
            }
            reviewed = {
                pid
                for (pid,) in conn.execute(
                    text("SELECT programme_id FROM review_assignments WHERE status = 'submitted'")
                )
            }
            references = {
                pid: (reference, title)
                for pid, reference, title in conn.execute(
                    text("SELECT id, reference, title FROM programmes")
                )
            }
            return ProgrammesDatabase(
                organisations,
                _programmes(conn),
                _applications(conn),
                _calls(conn),
                reviewed,
                _screenings(conn),
                references,
            )
    finally:
        engine.dispose()


def event_ids(database: str, query: str) -> set[str]:
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as conn:
            return set(conn.execute(text(query)).scalars())
    finally:
        engine.dispose()


def wait_for_events_to_settle(data: str) -> int:
    """Wait until the reports service has applied every event of the programmes outbox that
    it is sent (``SUBSCRIPTIONS``: not a call's closing reminder, which the call clock writes
    whenever a call nears its close, nor people's events)."""
    sent = ", ".join(f"'{kind}'" for kind in sorted(SUBSCRIPTIONS[REPORTS_QUEUE]))
    produced = event_ids(
        f"{data}/programmes.db", f"SELECT event_id FROM outbox WHERE type IN ({sent})"
    )

    def settled() -> bool:
        applied = event_ids(f"{data}/reports.db", "SELECT event_id FROM processed_events")
        return produced <= applied

    # A liveness wait, not a speed check (make bench measures speed): with three test
    # workers on two cores the burst's events took more than a minute to apply once.
    try:
        wait_until(
            settled, timeout=180, interval=0.3, message="the reports service to apply every event"
        )
    except AssertionError as late:
        raise AssertionError(f"{late}; {_what_is_missing(data, produced)}") from None
    return len(produced)


def _what_is_missing(data: str, produced: set[str]) -> str:
    """Which events the reports service has not applied, by type, whether they were ever
    published, and what it dead-lettered: the first things to look at when the wait fails."""
    applied = event_ids(f"{data}/reports.db", "SELECT event_id FROM processed_events")
    missing = produced - applied
    engine = create_engine(f"sqlite:///{data}/programmes.db")
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT event_id, type, published_at FROM outbox")).all()
    finally:
        engine.dispose()
    by_type: dict[str, int] = {}
    unpublished = 0
    for event_id, kind, published_at in rows:
        if event_id in missing:
            by_type[kind] = by_type.get(kind, 0) + 1
            unpublished += published_at is None
    letters = event_ids(f"{data}/reports.db", "SELECT event_id FROM dead_letters")
    return (
        f"{len(missing)} of {len(produced)} events not applied ({by_type}), "
        f"{unpublished} of them not yet published by the relay, "
        f"{len(letters & missing)} of them dead-lettered by reports"
    )


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def covers(self, when: datetime | None) -> bool:
        """Both dates included, in UTC: [start 00:00, end + 1 day 00:00)."""
        lower = datetime.combine(self.start, time.min, tzinfo=UTC)
        upper = datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)
        return when is not None and lower <= when < upper


def jpy(amount: Decimal) -> str:
    return f"{amount:.0f}"


def inr(amount: Decimal) -> str:
    return f"{amount:.2f}"


def rate(accepted: int, rejected: int) -> str:
    return f"{accepted / (accepted + rejected):.4f}" if accepted + rejected else ""


def _money_rows(groups: dict[tuple, list[ProgrammeFact]], names: tuple[str, ...]) -> list[dict]:
    rows = []
    for key, programmes in groups.items():
        jp_sum = sum((p.budget["JPY"] for p in programmes), Decimal(0))
        in_sum = sum((p.budget["INR"] for p in programmes), Decimal(0))
        row = dict(zip(names, key, strict=True))
        rows.append({**row, "programmes": len(programmes), "jpy": jpy(jp_sum), "inr": inr(in_sum)})
    return rows


def portfolio(db: ProgrammesDatabase, period: Period) -> dict[str, list[dict]]:
    created = [p for p in db.programmes if period.covers(p.created_at)]
    groups: dict[tuple, list[ProgrammeFact]] = defaultdict(list)
    for p in created:
        groups[(p.focus_area, p.status)].append(p)
    main = [
        {
            "focus_area": row["focus_area"],
            "status": row["status"],
            "programmes": row["programmes"],
            "budget_jpy": row["jpy"],
            "budget_inr": row["inr"],
        }
        for row in _money_rows(groups, ("focus_area", "status"))
    ]
    return {"by_focus_area_and_status": main, "lead_pairs": _lead_pairs(db, created)}


def _lead_pairs(db: ProgrammesDatabase, created: list[ProgrammeFact]) -> list[dict]:
    pairs: dict[tuple[str, str], int] = defaultdict(int)
    for p in created:
        leads = [org for org, role in p.partners if role == "lead"]
        japan = [db.organisations[o][0] for o in leads if db.organisations[o][1] == "JP"]
        india = [db.organisations[o][0] for o in leads if db.organisations[o][1] == "IN"]
        for pair in {(j, i) for j in japan for i in india}:
            pairs[pair] += 1
    return [{"japan_lead": j, "india_lead": i, "programmes": n} for (j, i), n in pairs.items()]


def _milestone_counts(applications: list[ApplicationFact], period: Period) -> dict[str, int]:
    return {
        m: sum(1 for a in applications if period.covers(a.milestones.get(m))) for m in MILESTONES
    }


def exchange_flows(db: ProgrammesDatabase, period: Period) -> dict[str, list[dict]]:
    rows: dict[tuple[str, str], list[ApplicationFact]] = defaultdict(list)
    for a in db.applications:
        if any(period.covers(when) for when in a.milestones.values()):
            rows[(a.direction, a.career_stage)].append(a)
    flows, totals = [], defaultdict(lambda: dict.fromkeys(MILESTONES, 0))
    for (direction, stage), applications in rows.items():
        counts = _milestone_counts(applications, period)
        durations = [a.days for a in applications if period.covers(a.milestones.get("accepted"))]
        mean = sum(durations) / len(durations) if durations else None
        flows.append(
            {
                "direction": direction,
                "career_stage": stage,
                **counts,
                "acceptance_rate": rate(counts["accepted"], counts["rejected"]),
                "mean_duration_days": mean,
            }
        )
        for m in MILESTONES:
            totals[direction][m] += counts[m]
    by_direction = [
        {"direction": d, **c, "acceptance_rate": rate(c["accepted"], c["rejected"])}
        for d, c in totals.items()
    ]
    return {"flows": flows, "by_direction": by_direction}


ACTIVITY = ("programmes_led", "programmes_joined", "applications_sent", "applications_hosted")


def partner_activity(db: ProgrammesDatabase, period: Period) -> list[dict]:
    counts: dict[str, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys((*ACTIVITY, "accepted"), 0)
    )
    for p in db.programmes:
        if period.covers(p.created_at):
            for org, role in p.partners:
                counts[org]["programmes_led" if role == "lead" else "programmes_joined"] += 1
    for a in db.applications:
        if period.covers(a.milestones.get("submitted")):
            counts[a.home]["applications_sent"] += 1
            counts[a.host]["applications_hosted"] += 1
        if period.covers(a.milestones.get("accepted")):
            for org in {a.home, a.host}:
                counts[org]["accepted"] += 1
    return [
        {
            "organisation_id": org,
            "name": db.organisations[org][0],
            "country": db.organisations[org][1],
            **figures,
        }
        for org, figures in counts.items()
    ]


def budget_commitments(db: ProgrammesDatabase, period: Period) -> list[dict]:
    groups: dict[tuple, list[ProgrammeFact]] = defaultdict(list)
    for p in db.programmes:
        if period.covers(p.approved_at):
            groups[(p.approved_at.strftime("%Y-%m"), p.focus_area)].append(p)
    return [
        {
            "month": row["month"],
            "focus_area": row["focus_area"],
            "programmes": row["programmes"],
            "committed_jpy": row["jpy"],
            "committed_inr": row["inr"],
        }
        for row in _money_rows(groups, ("month", "focus_area"))
    ]


def call_outcomes(db: ProgrammesDatabase, period: Period) -> dict[str, list[dict]]:
    rows = []
    for call in db.calls:
        if not period.covers(call.closes_at):
            continue
        received = [p for p in db.programmes if p.call_id == call.id and p.submitted_at]
        approved = [p for p in received if p.approved_at]
        rows.append(
            {
                "call_id": call.id,
                "call": call.title,
                "call_status": call.status,
                "received": len(received),
                "eligible": len(received),
                "reviewed": sum(1 for p in received if p.id in db.reviewed),
                "approved": len(approved),
                "committed_jpy": jpy(sum((p.budget["JPY"] for p in approved), Decimal(0))),
                "committed_inr": inr(sum((p.budget["INR"] for p in approved), Decimal(0))),
                "envelope_jpy": jpy(call.envelope.get("JPY", Decimal(0))),
                "envelope_inr": inr(call.envelope.get("INR", Decimal(0))),
            }
        )
    proposals = ("call_id", "call", "call_status", "received", "eligible", "reviewed", "approved")
    budget = ("call_id", "call", "committed_jpy", "envelope_jpy", "committed_inr", "envelope_inr")
    return {
        "proposals_by_call": [{k: row[k] for k in proposals} for row in rows],
        "budget_by_call": [{k: row[k] for k in budget} for row in rows],
    }


def compliance(db: ProgrammesDatabase, period: Period) -> dict[str, list[dict]]:
    """Screenings recorded in the period by side, subject and outcome; the licences of the
    current screenings (none is superseded after the period's end: it ends tomorrow) still
    valid on its first day, with their state on its last; programmes whose own licence had
    expired by then."""
    counted: dict[tuple[str, str, str], int] = defaultdict(int)
    for s in db.screenings:
        if period.covers(s.recorded_at):
            counted[(s.side, "person" if s.person else "programme", s.outcome)] += 1
    licences, holds = [], []
    for s in db.screenings:
        if not s.current or s.outcome != "licence_required" or s.valid_until is None:
            continue
        if s.valid_until < period.start:
            continue
        reference, title = db.references[s.programme_id]
        if period.end > s.valid_until:
            state = "expired"
        elif period.end + timedelta(days=30) > s.valid_until:
            state = "expiring"
        else:
            state = "valid"
        subject = "person" if s.person else "programme"
        licences.append(
            {
                "programme_id": s.programme_id,
                "programme": reference,
                "subject": subject,
                "side": s.side,
                "authority": s.authority,
                "licence_number": s.number,
                "valid_until": s.valid_until.isoformat(),
                "licence_state": state,
            }
        )
        if subject == "programme" and state == "expired":
            holds.append(
                {
                    "programme_id": s.programme_id,
                    "programme": reference,
                    "programme_title": title,
                    "side": s.side,
                    "valid_until": s.valid_until.isoformat(),
                }
            )
    return {
        "screenings_by_outcome": [
            {"side": side, "subject": subject, "outcome": outcome, "screenings": n}
            for (side, subject, outcome), n in counted.items()
        ],
        "licences": licences,
        "holds": holds,
    }


# The reports as the reports service makes them.


def generate(system: Any, key: str, period: Period) -> dict[str, dict]:
    """Each of the four report types as JSON over the period, requested from ``system`` (a
    ``topology.RunningSetu``) with ``key``: type -> the document."""
    ids = {}
    for report_type in (
        "programme_portfolio",
        "exchange_flows",
        "partner_activity",
        "budget_commitments",
        "call_outcomes",
        "compliance",
    ):
        body = {
            "type": report_type,
            "format": "json",
            "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        }
        requested = system.api("POST", "/v1/reports", key, json=body)
        assert requested.status_code == 202, requested.text
        ids[report_type] = requested.json()["id"]
    documents = {}
    for report_type, report_id in ids.items():

        def finished(report_id=report_id) -> bool:
            report = system.api("GET", f"/v1/reports/{report_id}", key).json()
            assert report["status"] != "failed", report
            return report["status"] == "succeeded"

        wait_until(finished, timeout=60, interval=0.2, message=f"the {report_type} report")
        download = system.api("GET", f"/v1/reports/{report_id}/download", key)
        assert download.status_code == 200, download.text
        assert download.headers["Content-Type"].startswith("application/json")
        document = download.json()
        assert document["type"] == report_type
        assert document["period"] == body["period"]
        documents[report_type] = document
    return documents


# Comparing a report with the counts: every row, every figure, every difference listed.


def by_key(rows: list[dict], key: tuple[str, ...]) -> dict[tuple, dict]:
    keyed = {tuple(row[k] for k in key): row for row in rows}
    assert len(keyed) == len(rows), f"two rows share a {key}: {rows}"
    return keyed


def assert_same_table(name: str, actual: list[dict], expected: list[dict], key: tuple) -> None:
    """The same rows (by key), each with the same figures; every difference listed."""
    got, want = by_key(actual, key), by_key(expected, key)
    problems = [f"missing row {k}: {want[k]}" for k in want.keys() - got.keys()]
    problems += [f"unexpected row {k}: {got[k]}" for k in got.keys() - want.keys()]
    for k in want.keys() & got.keys():
        if got[k] != want[k]:
            problems.append(f"row {k}: report {got[k]} != database {want[k]}")
    assert not problems, f"{name}:\n" + "\n".join(sorted(problems))


def assert_means(actual: list[dict], expected: list[dict]) -> None:
    """mean_duration_days: empty when none, else the mean to the report's printed precision."""
    want = {(r["direction"], r["career_stage"]): r.pop("mean_duration_days") for r in expected}
    for row in actual:
        printed = row.pop("mean_duration_days")
        key = (row["direction"], row["career_stage"])
        if key not in want:
            continue  # an unexpected row: assert_same_table names it
        mean = want[key]
        if mean is None:
            assert printed in ("", None), f"exchange_flows: {row} has a mean, none accepted"
        else:
            assert printed not in ("", None), f"exchange_flows: {row} lacks the mean {mean}"
            assert abs(float(printed) - mean) <= 0.05 + 1e-9, (
                f"exchange_flows: {row} mean_duration_days {printed}, database {mean:.3f}"
            )


def only_table(document: dict) -> list[dict]:
    [table] = document["tables"].values()
    return table


def assert_reports_match(
    documents: dict[str, dict], db: ProgrammesDatabase, period: Period
) -> None:
    """Each table of each of the four JSON reports against the counts from ``db``."""
    expected = portfolio(db, period)
    tables = documents["programme_portfolio"]["tables"]
    for name, key in (
        ("by_focus_area_and_status", ("focus_area", "status")),
        ("lead_pairs", ("japan_lead", "india_lead")),
    ):
        assert_same_table(f"programme_portfolio.{name}", tables[name], expected[name], key)

    expected, tables = exchange_flows(db, period), documents["exchange_flows"]["tables"]
    assert_means(tables["flows"], expected["flows"])
    for name, key in (("flows", ("direction", "career_stage")), ("by_direction", ("direction",))):
        assert_same_table(f"exchange_flows.{name}", tables[name], expected[name], key)

    activity = only_table(documents["partner_activity"])
    expected_activity = partner_activity(db, period)
    assert_same_table("partner_activity", activity, expected_activity, ("organisation_id",))
    committed = only_table(documents["budget_commitments"])
    expected_committed = budget_commitments(db, period)
    key = ("month", "focus_area")
    assert_same_table("budget_commitments", committed, expected_committed, key)
    expected, tables = call_outcomes(db, period), documents["call_outcomes"]["tables"]
    for name in ("proposals_by_call", "budget_by_call"):
        assert_same_table(f"call_outcomes.{name}", tables[name], expected[name], ("call_id",))
    expected, tables = compliance(db, period), documents["compliance"]["tables"]
    keys = {
        "screenings_by_outcome": ("side", "subject", "outcome"),
        "licences": ("programme_id", "subject", "side", "licence_number", "valid_until"),
        "holds": ("programme_id", "side"),
    }
    for name, key in keys.items():
        assert_same_table(f"compliance.{name}", tables[name], expected[name], key)
