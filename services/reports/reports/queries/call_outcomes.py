"""call_outcomes: per call closing in the period, proposals received, eligible, reviewed and
approved, and the budget committed against the envelope."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from reports.domain.catalogue import period_bounds
from reports.domain.money import from_minor
from reports.domain.summary import COUNT, INR, JPY, SUM, Headline
from reports.domain.tables import Table
from reports.store.models import BudgetLine, Call, Programme, SubmittedReview
from reports.translations import N_

DEFINITION = N_(
    "Calls for proposals whose closing time falls within the period (UTC dates), each with "
    "the proposals it received (programmes answering it that were submitted), how many of "
    "them were eligible (all of them: Setu refuses a submission that breaks one of the "
    "call's rules), reviewed (at least one expert review submitted) and approved, the sum of "
    "the approved proposals' budget lines in yen and in rupees as they now stand, and the "
    "call's envelope in each currency."
)
HEADLINES = (
    Headline(N_("Proposals received"), COUNT, "proposals_by_call", SUM, ("received",)),
    Headline(N_("Proposals approved"), COUNT, "proposals_by_call", SUM, ("approved",)),
    Headline(N_("Yen committed"), JPY, "budget_by_call", SUM, ("committed_jpy",)),
    Headline(N_("Rupees committed"), INR, "budget_by_call", SUM, ("committed_inr",)),
)
# Two tables of one row per call: all of it in one would not fit an A4 page's width.
PROPOSALS = ("call_id", "call", "call_status", "received", "eligible", "reviewed", "approved")
BUDGET = ("call_id", "call", "committed_jpy", "envelope_jpy", "committed_inr", "envelope_inr")


def compute(session: Session, start: date, end: date, filters: dict, progress) -> tuple:
    lower, upper = period_bounds(start, end)
    received = and_(Programme.call_id == Call.id, Programme.submitted_at.is_not(None))
    reviewed = select(SubmittedReview.programme_id).where(
        SubmittedReview.programme_id == Programme.id
    )
    approved = Programme.approved_at.is_not(None)
    counts = (
        select(
            Call.id,
            func.count(Programme.id).label("received"),
            func.count(case((reviewed.exists(), Programme.id))).label("reviewed"),
            func.count(case((approved, Programme.id))).label("approved"),
        )
        .select_from(Call)
        .outerjoin(Programme, received)
        .where(Call.closes_at >= lower, Call.closes_at < upper)
        .group_by(Call.id)
        .subquery("counts")
    )
    committed = (
        select(
            Programme.call_id,
            *(
                func.coalesce(
                    func.sum(BudgetLine.amount_minor).filter(BudgetLine.currency == currency), 0
                ).label(currency)
                for currency in ("JPY", "INR")
            ),
        )
        .join(BudgetLine, BudgetLine.programme_id == Programme.id)
        .where(Programme.submitted_at.is_not(None), approved, Programme.call_id.is_not(None))
        .group_by(Programme.call_id)
        .subquery("committed")
    )
    rows = session.execute(
        select(
            Call.id,
            Call.title,
            Call.status,
            counts.c.received,
            counts.c.reviewed,
            counts.c.approved,
            func.coalesce(committed.c.JPY, 0),
            func.coalesce(committed.c.INR, 0),
            Call.envelope_jpy,
            Call.envelope_inr,
        )
        .join(counts, counts.c.id == Call.id)
        .outerjoin(committed, committed.c.call_id == Call.id)
        .order_by(Call.closes_at, Call.id)
    ).all()
    progress(60)
    proposals = Table(
        "proposals_by_call",
        N_("Proposals by call"),
        PROPOSALS,
        [
            (call_id, title, status, int(received), int(received), int(reviewed), int(approved))
            for call_id, title, status, received, reviewed, approved, *_ in rows
        ],
    )
    budget = Table(
        "budget_by_call",
        N_("Budget committed against each call's envelope"),
        BUDGET,
        [
            (
                call_id,
                title,
                from_minor("JPY", jpy),
                from_minor("JPY", envelope_jpy),
                from_minor("INR", inr),
                from_minor("INR", envelope_inr),
            )
            for call_id, title, _, _, _, _, jpy, inr, envelope_jpy, envelope_inr in rows
        ],
    )
    return [proposals, budget], []
