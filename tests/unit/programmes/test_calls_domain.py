"""Property-based tests (hypothesis) of the call clock, the reminders, the eligibility rules
and the review scores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, available_timezones

from hypothesis import given, settings
from hypothesis import strategies as st

from programmes.domain import calls, reviews

ZONES = sorted(available_timezones() - {"Factory", "localtime"})
moments = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
)
durations = st.timedeltas(min_value=timedelta(minutes=1), max_value=timedelta(days=400))


@given(moment=moments, zone=st.sampled_from(ZONES))
def test_a_local_time_read_in_its_zone_is_the_same_instant(moment, zone):
    local = calls.local(moment, zone)
    assert calls.to_utc(local, zone) == moment
    # Without its offset, a local time is read in the call's zone (one the clock repeats is
    # read the first time it comes).
    naive = local.replace(tzinfo=None)
    assert calls.to_utc(naive, zone) == naive.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def test_tokyo_and_kolkata_times_are_their_offsets():
    opens = datetime(2027, 4, 1, 9, 0)
    assert calls.to_utc(opens, "Asia/Tokyo") == datetime(2027, 4, 1, 0, 0, tzinfo=UTC)
    assert calls.to_utc(opens, "Asia/Kolkata") == datetime(2027, 4, 1, 3, 30, tzinfo=UTC)


@given(opens=moments, length=durations, ticks=st.lists(moments, min_size=1, max_size=30))
def test_the_clock_opens_and_closes_each_call_once_and_in_order(opens, length, ticks):
    """Ticks at any times (out of order, repeated, as two beats send them) take ``open`` at
    most once and ``close`` at most once, never close before opening and never reopen."""
    closes = opens + length
    status, taken = "draft", []
    for now in ticks:
        while (action := calls.due_action(status, opens, closes, now)) is not None:
            taken.append((action, now))
            status = calls.CALL_TRANSITIONS[action].target
    actions = [a for a, _ in taken]
    assert actions in ([], ["open"], ["open", "close"])
    for action, now in taken:
        assert now >= (opens if action == "open" else closes)
    assert status == calls.status_at("draft", opens, closes, max(ticks))


@given(opens=moments, length=durations, now=moments)
def test_a_call_accepts_submissions_exactly_between_its_times(opens, length, now):
    closes = opens + length
    assert calls.accepting("draft", opens, closes, now) == (opens <= now < closes)
    # Opened early by the secretariat: until its closing time; closed early: never.
    assert calls.accepting("open", opens, closes, now) == (now < closes)
    assert not calls.accepting("closed", opens, closes, now)


@given(closes=moments, nows=st.lists(moments, min_size=1, max_size=20))
def test_reminders_are_each_sent_at_most_once_and_never_after_closing(closes, nows):
    sent: set[str] = set()
    emailed = []
    for now in sorted(nows):
        recorded, send = calls.due_reminders(closes, now, sent)
        assert not set(recorded) & sent
        sent.update(recorded)
        if send:
            assert now < closes and closes - calls.REMINDERS[send] <= now
            emailed.append(send)
    assert len(emailed) == len(set(emailed))
    # The 7-day reminder never follows the 1-day one.
    assert emailed in ([], ["7d"], ["1d"], ["7d", "1d"])


CALL = {
    "focus_areas": ["ai_research", "ai_healthcare"],
    "eligibility": {"min_partners": 2, "max_partners": 3, "organisation_kinds": ["university"]},
    "max_budget_per_programme": {"JPY": "1000000"},
}
partner_kinds = st.lists(
    st.sampled_from(["university", "company", "research_institute"]), min_size=1, max_size=5
)


@given(
    focus=st.sampled_from(["ai_research", "ai_healthcare", "talent_development"]),
    kinds=partner_kinds,
    jpy=st.integers(min_value=0, max_value=3_000_000),
)
@settings(max_examples=200)
def test_each_broken_rule_is_named_and_only_those(focus, kinds, jpy):
    partners = [{"organisation_id": f"o{i}", "role": "member"} for i in range(len(kinds))]
    programme = {
        "focus_area": focus,
        "partners": partners,
        "budget": [{"organisation_id": "o0", "currency": "JPY", "amount": str(jpy)}],
    }
    broken = {
        b.rule
        for b in calls.broken_rules(CALL, programme, {f"o{i}": k for i, k in enumerate(kinds)})
    }
    expected = set()
    if focus not in CALL["focus_areas"]:
        expected.add("focus_areas")
    if len(kinds) < 2:
        expected.add("min_partners")
    if len(kinds) > 3:
        expected.add("max_partners")
    if set(kinds) - {"university"}:
        expected.add("organisation_kinds")
    if jpy > 1_000_000:
        expected.add("max_budget_per_programme.JPY")
    assert broken == expected


CRITERIA = [{"key": "merit", "weight": 3}, {"key": "impact", "weight": 1}]


@given(merit=st.integers(0, 5), impact=st.integers(0, 5))
def test_a_weighted_score_lies_between_its_scores(merit, impact):
    scores = {
        "merit": {"score": merit, "comment": "x"},
        "impact": {"score": impact, "comment": "y"},
    }
    assert reviews.check_scores(CRITERIA, scores) == {}
    score = reviews.weighted_score(CRITERIA, scores)
    assert min(merit, impact) <= score <= max(merit, impact)
    assert score == Decimal(3 * merit + impact) / 4


def test_a_review_score_is_shown_with_two_decimals_and_a_mean_is_of_the_shown_scores():
    thirds = reviews.weighted_score(
        [{"key": "merit", "weight": 1}, {"key": "impact", "weight": 2}],
        {"merit": {"score": 5, "comment": "x"}, "impact": {"score": 4, "comment": "y"}},
    )
    assert str(thirds).startswith("4.3333")
    assert reviews.shown_score(thirds) == "4.33"
    assert reviews.shown_score(str(thirds)) == "4.33"
    assert reviews.shown_score("3.5") == "3.50"
    assert reviews.shown_score("4") == "4.00"
    assert reviews.shown_score("4.665") == "4.67"  # half up
    assert reviews.shown_score(None) is None
    # Three reviews shown as 4.33, 4.33 and 4.34 have the mean 4.33 (their exact scores'
    # mean, 4.3356, would be 4.34): the mean a person finds from the page.
    shown = [Decimal(reviews.shown_score(s)) for s in (thirds, thirds, Decimal("4.34"))]
    assert reviews.mean(shown) == Decimal("4.33")


@given(score=st.integers(-10, 10), comment=st.text(max_size=3))
def test_scores_out_of_range_or_without_a_comment_are_named(score, comment):
    scores = {"merit": {"score": score, "comment": comment}}
    errors = reviews.check_scores(CRITERIA, scores)
    assert "scores" in errors  # impact is missing
    assert ("scores.merit" in errors) == (not 0 <= score <= 5 or not comment.strip())


@given(
    means=st.lists(
        st.one_of(st.none(), st.decimals(min_value=0, max_value=5, places=2)), max_size=8
    ),
    budgets=st.lists(st.integers(0, 10**7), min_size=8, max_size=8),
)
def test_a_ranking_is_best_first_with_running_totals(means, budgets):
    proposals = [
        {
            "programme_id": str(i),
            "reference": f"JIP-2027-{i:04d}",
            "title": "t",
            "status": "under_review",
            "mean": m,
            "review_count": 0 if m is None else 1,
            "budget": {"JPY": Decimal(budgets[i]), "INR": Decimal(0)},
        }
        for i, m in enumerate(means)
    ]
    ranked = reviews.rank(proposals, {"JPY": "20000000", "INR": "0"})
    scored = [r["weighted_mean"] for r in ranked if r["weighted_mean"] is not None]
    assert scored == sorted(scored, reverse=True)
    assert all(r["weighted_mean"] is None for r in ranked[len(scored) :])
    totals = [int(r["running_total"]["JPY"]) for r in ranked]
    assert totals == sorted(totals)
    for row in ranked:
        assert row["within_envelope"]["JPY"] == (int(row["running_total"]["JPY"]) <= 20_000_000)
