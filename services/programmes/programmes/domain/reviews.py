"""Expert review as data: an assignment's states and transitions, the scores a review must
give, weighted means, and the ranking of a call's proposals against its envelope."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from programmes.domain.programmes import CURRENCIES, format_amount
from programmes.domain.transitions import Relation, Transition

REVIEW_STATUSES = ("declaration_due", "in_progress", "conflicted", "submitted")
R = Relation.REVIEWER
# Nothing of the proposal is readable before the declaration; a conflict ends the
# assignment; a submitted review is never changed.
REVIEW_TRANSITIONS = {
    "declare_none": Transition("declare_none", frozenset({"declaration_due"}), "in_progress", R),
    "declare_conflict": Transition(
        "declare_conflict", frozenset({"declaration_due"}), "conflicted", R
    ),
    "submit": Transition("submit", frozenset({"in_progress"}), "submitted", R),
}
PROPOSAL_READABLE = frozenset({"in_progress", "submitted"})
# Assignments that count towards a proposal's reviewers (a conflicted one has ended).
LIVE = frozenset({"declaration_due", "in_progress", "submitted"})
MIN_SCORE, MAX_SCORE = 0, 5
# Reviewers with a review not yet submitted are reminded this long before it is due.
REMINDER_BEFORE = timedelta(days=2)
# The proposals a ranking shows: submitted ones still in the running or decided for.
RANKED_STATUSES = frozenset(
    {"submitted", "under_review", "changes_requested", "approved", "active", "completed"}
)

Errors = dict[str, list[str]]


def check_scores(criteria: Sequence[Mapping[str, Any]], scores: Mapping[str, Any]) -> Errors:
    """Every criterion scored once, 0-5, with a comment; nothing else scored."""
    errors: Errors = {}
    keys = [c["key"] for c in criteria]
    missing = [k for k in keys if k not in scores]
    extra = sorted(set(scores) - set(keys))
    if missing:
        errors.setdefault("scores", []).append(
            f"score every criterion; missing: {', '.join(missing)}"
        )
    if extra:
        errors.setdefault("scores", []).append(f"no such criteria: {', '.join(extra)}")
    for key in keys:
        given = scores.get(key)
        if given is None:
            continue
        if not MIN_SCORE <= given["score"] <= MAX_SCORE:
            errors.setdefault(f"scores.{key}", []).append(f"between {MIN_SCORE} and {MAX_SCORE}")
        if not given["comment"].strip():
            errors.setdefault(f"scores.{key}", []).append("a comment is required")
    return errors


def weighted_score(criteria: Sequence[Mapping[str, Any]], scores: Mapping[str, Any]) -> Decimal:
    """One review's score: its criteria's scores weighted by the call's weights."""
    total_weight = sum(Decimal(str(c["weight"])) for c in criteria)
    weighted = sum(Decimal(str(c["weight"])) * scores[c["key"]]["score"] for c in criteria)
    return Decimal(weighted) / total_weight


# Scores are shown with two decimals, rounded half up: a review's (4.33, not 4.333...) and
# a mean, which is of the reviews' scores as shown, so that it is the mean a person
# working it out from the page finds.
SHOWN = Decimal("0.01")


def shown(score: Decimal | str) -> Decimal:
    """A score as it is kept and shown (rows kept before it was rounded are rounded as they
    are read)."""
    return Decimal(score).quantize(SHOWN, ROUND_HALF_UP)


def shown_score(score: Decimal | str | None) -> str | None:
    """A review's weighted score as the API gives it (None until submitted)."""
    return None if score is None else str(shown(score))


def mean(values: Sequence[Decimal]) -> Decimal | None:
    if not values:
        return None
    return shown(sum(values, Decimal(0)) / len(values))


def reminder_due(status: str, due_at: datetime, now: datetime) -> bool:
    """A review not yet submitted, due within REMINDER_BEFORE and not past due."""
    return status in ("declaration_due", "in_progress") and due_at - REMINDER_BEFORE <= now < due_at


def rank(
    proposals: Sequence[Mapping[str, Any]], envelope: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The proposals best mean first (unreviewed last, then by reference), each with the
    running budget total in each currency and whether that total is within the envelope.

    Each proposal: {programme_id, reference, title, status, mean: Decimal | None,
    review_count, budget: {currency: Decimal}}."""
    ordered = sorted(
        proposals,
        key=lambda p: (p["mean"] is None, -(p["mean"] or 0), p["reference"]),
    )
    running = dict.fromkeys(CURRENCIES, Decimal(0))
    ranked = []
    for position, proposal in enumerate(ordered, start=1):
        for currency in CURRENCIES:
            running[currency] += proposal["budget"][currency]
        ranked.append(
            {
                "rank": position,
                "programme_id": proposal["programme_id"],
                "reference": proposal["reference"],
                "title": proposal["title"],
                "status": proposal["status"],
                "weighted_mean": None if proposal["mean"] is None else float(proposal["mean"]),
                "review_count": proposal["review_count"],
                "budget": {c: format_amount(c, proposal["budget"][c]) for c in CURRENCIES},
                "running_total": {c: format_amount(c, running[c]) for c in CURRENCIES},
                "within_envelope": {
                    c: running[c] <= Decimal(envelope.get(c, "0")) for c in CURRENCIES
                },
            }
        )
    return ranked
