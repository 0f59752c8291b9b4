"""The mobility clearance rules of domain.mobility and domain.slots, on plain values."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from programmes.domain import mobility, slots
from programmes.domain.transitions import Relation
from setu_contract.errors import Conflict, Forbidden, Invalid, NotFound

START = date(2027, 4, 1)
TODAY = date(2027, 4, 10)


def change(name: str, status: str, day: date | None = None, who=Relation.HOST, days=200):
    return mobility.check_change(
        "JP_TO_IN", START, START + timedelta(days=days), name, {who}, status, day, TODAY
    )


def test_frro_only_when_the_stay_passes_180_days():
    assert "frro_registration" not in mobility.checklist("JP_TO_IN", START, START + timedelta(180))
    assert "frro_registration" in mobility.checklist("JP_TO_IN", START, START + timedelta(181))
    with pytest.raises(Conflict):
        change("frro_registration", "registered", days=180)
    assert change("frro_registration", "registered") == TODAY


def test_each_item_is_kept_by_one_side_with_its_own_statuses():
    with pytest.raises(Forbidden):
        change("research_visa", "applied", who=Relation.HOST)
    with pytest.raises(Invalid):
        change("housing", "issued")
    with pytest.raises(NotFound):
        change("residence_card", "issued")
    assert change("research_visa", "pending", TODAY, who=Relation.HOME) is None


def test_an_actual_date_is_given_and_not_in_the_future():
    with pytest.raises(Invalid):
        change("arrival", "arrived")
    with pytest.raises(Invalid):
        change("arrival", "arrived", TODAY + timedelta(days=1))
    assert change("arrival", "arrived", TODAY) == TODAY
    assert mobility.order_errors("departure", TODAY, {})
    assert mobility.order_errors("departure", TODAY, {"arrival": TODAY + timedelta(1)})
    assert not mobility.order_errors("departure", TODAY, {"arrival": TODAY})


def test_stages_follow_the_checklist():
    stage = mobility.stage
    assert stage("IN_TO_JP", {}) == "awaiting_documents"
    assert stage("IN_TO_JP", {"certificate_of_eligibility": "issued"}) == "visa"
    assert stage("IN_TO_JP", {"visa": "issued"}) == "travelling"
    assert stage("IN_TO_JP", {"arrival": "arrived"}) == "arrived"
    assert stage("IN_TO_JP", {"arrival": "arrived", "departure": "departed"}) == "departed"
    assert stage("JP_TO_IN", {"research_visa": "applied"}) == "visa"
    assert stage("JP_TO_IN", {"research_visa": "refused"}) == "blocked"


def test_the_reminder_is_due_within_120_days_for_what_is_not_applied_for():
    due = mobility.reminder_due
    assert due("IN_TO_JP", START, {}, START - timedelta(days=121)) == ()
    assert due("IN_TO_JP", START, {}, START - timedelta(days=120)) == (
        "certificate_of_eligibility",
        "visa",
    )
    assert due("IN_TO_JP", START, {"certificate_of_eligibility": "issued"}, START) == ()
    assert due("JP_TO_IN", START, {"research_visa": "applied"}, START - timedelta(days=5)) == ()


def test_a_split_adds_up_and_each_direction_fills():
    assert slots.split_errors(3, {"JP_TO_IN": 1, "IN_TO_JP": 2}) == {}
    assert slots.split_errors(3, {"JP_TO_IN": 1, "IN_TO_JP": 1})
    assert slots.split_errors(2, {"JP_TO_IN": 2})
    split = {"JP_TO_IN": 1, "IN_TO_JP": 2}
    assert slots.full(3, split, "JP_TO_IN", 1, 0) is None
    assert slots.full(3, split, "JP_TO_IN", 1, 1) is not None
    assert slots.full(3, None, "JP_TO_IN", 2, 2) is None
    assert slots.full(3, None, "JP_TO_IN", 3, 0) is not None
