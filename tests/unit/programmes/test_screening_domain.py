"""The export-control rules as data: which programmes need screening, what a screening must
say, what lets an approval through, and the licence clock (each notice once, the hold from
the day after valid_until)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from programmes.domain import screening as rules
from setu_contract.vocabulary import FOCUS_AREAS

DAYS = st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31))


@given(st.sampled_from(FOCUS_AREAS), st.one_of(st.none(), st.booleans()))
def test_a_programme_needs_screening_by_its_area_or_its_declaration(area, declared):
    transfer = None if declared is None else {"controlled_items_expected": declared}
    controlled = area.startswith("semiconductor_") or area == "supply_chain_resilience"
    assert rules.needs_screening(area, transfer) == (controlled or bool(declared))


@given(DAYS, DAYS)
def test_a_licence_holds_the_programme_from_the_day_after_its_last_valid_day(until, day):
    held = rules.held(until, day)
    assert (held == [rules.HOLD_LICENCE_EXPIRED]) == (day > until)
    assert rules.licence_valid(until, day) == (not held)


@given(DAYS, st.lists(st.integers(min_value=0, max_value=45), min_size=1, max_size=12))
def test_each_notice_is_sent_once_and_the_expiry_on_or_after_its_day(until, steps):
    """A clock ticking on any days (two beats: the same day twice) sends the 30-day warning
    at most once and never once expired, and the expiry notice exactly once if it ticks on or
    after the day."""
    start = until - timedelta(days=60)
    day, sent = start, []
    for step in steps:
        day = day + timedelta(days=step)
        for kind in rules.notice_due(until, day, sent):
            sent.append(kind)
            expires = rules.expiry_day(until)
            if kind == "30d":
                assert expires - timedelta(days=30) <= day < expires
            else:
                assert day >= expires
    assert len(sent) == len(set(sent))
    assert ("expired" in sent) == (day >= rules.expiry_day(until))


@given(
    st.dictionaries(
        st.sampled_from(rules.SIDES),
        st.fixed_dictionaries(
            {
                "outcome": st.sampled_from(rules.OUTCOMES),
                "licence_valid_until": st.one_of(st.none(), DAYS),
            }
        ),
    ),
    DAYS,
)
def test_approval_passes_only_when_both_sides_clear_or_hold_a_valid_licence(current, day):
    state = rules.standing(current, rules.SIDES, day)
    passing = all(
        side in current
        and (
            current[side]["outcome"] == "cleared"
            or (
                current[side]["outcome"] == "licence_required"
                and rules.licence_valid(current[side]["licence_valid_until"], day)
            )
        )
        for side in rules.SIDES
    )
    assert state.clear == passing
    assert set(state.denied) == {s for s, c in current.items() if c["outcome"] == "denied"}
    # Every side that does not pass is named, as missing (with why) or as denied.
    assert set(state.missing).isdisjoint(state.denied)
    assert len(state.missing) + len(state.denied) == sum(
        1 for side in rules.SIDES if rules.standing(current, [side], day).clear is False
    )
    if not state.clear:
        assert "FEFTA" in rules.describe(state, "x") or "SCOMET" in rules.describe(state, "x")


def test_a_screening_uses_its_sides_regime_and_authority_and_a_licence_only_when_required():
    base = {"jurisdiction": "JP", "regime": "FEFTA", "outcome": "cleared", "licence": None}
    assert rules.check_screening(base) == {}
    assert set(rules.check_screening({**base, "regime": "SCOMET"})) == {"regime"}
    needed = {**base, "outcome": "licence_required"}
    assert set(rules.check_screening(needed)) == {"licence"}
    licence = {"number": "1", "authority": "DGFT", "valid_until": date(2030, 1, 1)}
    assert set(rules.check_screening({**needed, "licence": licence})) == {"licence.authority"}
    assert rules.check_screening({**needed, "licence": {**licence, "authority": "METI"}}) == {}
    assert set(rules.check_screening({**base, "licence": licence})) == {"licence"}
    assert rules.programme_screening(False, None) == "not_required"
    assert rules.programme_screening(True, ["JP"]) == "pending"
    assert rules.programme_screening(True, ["IN", "JP"]) == "complete"
