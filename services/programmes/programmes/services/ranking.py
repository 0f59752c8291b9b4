"""A call's ranking: its proposals by weighted mean score, with their review counts and the
running budget total against the envelope in each currency."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from programmes.domain import reviews as rules
from programmes.domain.calls import budget_totals
from programmes.domain.programmes import CURRENCIES, format_amount
from programmes.services.calls import get_call
from programmes.store.call_models import ReviewAssignment
from programmes.store.models import BudgetLine, Programme
from setu_contract.errors import Forbidden
from setu_contract.http import Principal


def ranking(session: Session, principal: Principal, call_id: str) -> dict[str, Any]:
    """For the secretariat and auditors."""
    if not principal.can_read_everything:
        raise Forbidden("only the secretariat and auditors read a call's ranking")
    call = get_call(session, principal, call_id)
    programmes = session.execute(
        select(Programme.id, Programme.reference, Programme.title, Programme.status).where(
            Programme.call_id == call.id, Programme.status.in_(rules.RANKED_STATUSES)
        )
    ).all()
    ids = [p.id for p in programmes]
    lines: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for line in session.execute(
        select(BudgetLine.programme_id, BudgetLine.currency, BudgetLine.amount).where(
            BudgetLine.programme_id.in_(ids)
        )
    ):
        lines[line.programme_id].append({"currency": line.currency, "amount": line.amount})
    scores: dict[str, list[Decimal]] = defaultdict(list)
    for review in session.execute(
        select(ReviewAssignment.programme_id, ReviewAssignment.weighted_score).where(
            ReviewAssignment.call_id == call.id, ReviewAssignment.status == "submitted"
        )
    ):
        scores[review.programme_id].append(rules.shown(review.weighted_score))
    proposals = [
        {
            "programme_id": p.id,
            "reference": p.reference,
            "title": p.title,
            "status": p.status,
            "mean": rules.mean(scores[p.id]),
            "review_count": len(scores[p.id]),
            "budget": budget_totals(lines[p.id]),
        }
        for p in programmes
    ]
    ranked = rules.rank(proposals, call.budget_envelope)
    requested = {
        c: format_amount(c, sum((p["budget"][c] for p in proposals), Decimal(0)))
        for c in CURRENCIES
    }
    envelope_line = {
        c: max((r["rank"] for r in ranked if r["within_envelope"][c]), default=None)
        for c in CURRENCIES
    }
    return {
        "call_id": call.id,
        "status": call.status,
        "budget_envelope": call.budget_envelope,
        "total_requested": requested,
        "envelope_line": envelope_line,
        "proposals": ranked,
    }
