"""Property-based tests (hypothesis) of the state machines and the validation rules."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from programmes.application_schemas import ApplicationCreateSchema
from programmes.domain import applications as app_rules
from programmes.domain import programmes as rules
from programmes.domain.transitions import (
    APPLICATION_STATUSES,
    APPLICATION_TRANSITIONS,
    PROGRAMME_STATUSES,
    PROGRAMME_TRANSITIONS,
    Relation,
    allowed_actions,
    plan,
)
from programmes.schemas import ProgrammeCreateSchema
from setu_contract.errors import Conflict, Forbidden, Invalid, ServiceError

MACHINES = [
    (PROGRAMME_TRANSITIONS, PROGRAMME_STATUSES),
    (APPLICATION_TRANSITIONS, APPLICATION_STATUSES),
]
relations = st.sets(st.sampled_from(list(Relation)))
comments = st.one_of(st.none(), st.text(max_size=20))


@pytest.mark.parametrize(("table", "statuses"), MACHINES)
@given(data=st.data())
def test_plan_allows_exactly_what_the_table_says(table, statuses, data):
    status = data.draw(st.sampled_from(statuses))
    action = data.draw(st.one_of(st.sampled_from(list(table)), st.text(max_size=12)))
    who = data.draw(relations)
    comment = data.draw(comments)
    try:
        row = plan(table, status, action, who, comment)
    except Invalid:
        row_ = table.get(action)
        assert row_ is None or (row_.comment_required and not (comment or "").strip())
        return
    except Conflict as error:
        assert status not in table[action].sources and table[action].by in who
        assert error.errors["allowed_actions"] == allowed_actions(table, status, who)
        return
    except Forbidden:
        assert table[action].by not in who  # whatever the status
        return
    assert status in row.sources and row.by in who and row.target in statuses


@pytest.mark.parametrize(("table", "statuses"), MACHINES)
@given(walk=st.lists(st.text(min_size=1, max_size=16), max_size=30))
def test_random_walks_stay_inside_the_known_statuses(table, statuses, walk):
    status = "draft"
    everyone = frozenset(Relation)
    for step in walk:
        action = step if step in table else sorted(table)[len(step) % len(table)]
        try:
            status = plan(table, status, action, everyone, "a comment").target
        except ServiceError:
            continue
        assert status in statuses
    for terminal in ("rejected", "withdrawn"):
        assert allowed_actions(table, terminal, everyone) == []


@given(
    amount=st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False),
    currency=st.sampled_from(rules.CURRENCIES),
)
def test_amount_rule_matches_the_currency_places(amount, currency):
    problem = rules.check_amount(currency, amount)
    whole = amount == amount.to_integral_value()
    assert (problem is None) == (currency == "INR" or whole)
    if problem is None:
        assert Decimal(rules.format_amount(currency, amount)) == amount


@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 1, 1)),
    days=st.integers(min_value=-10, max_value=800),
)
def test_exchange_duration_is_14_to_730_days(start, days):
    errors = app_rules.duration_errors(start, start + timedelta(days=days))
    assert (errors == {}) == (14 <= days <= 730)


@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 1, 1)),
    days=st.integers(min_value=-10, max_value=2200),
)
def test_programme_dates_end_after_start_within_five_years(start, days):
    errors: dict = {}
    end = start + timedelta(days=days)
    rules.check_dates(start, end, errors)
    assert (errors == {}) == (start < end <= rules.add_years(start, 5))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def _body(keys: list[str]):
    return st.fixed_dictionaries({}, optional={k: json_values for k in keys}) | json_values


@settings(max_examples=300)
@given(
    body=_body(list(ProgrammeCreateSchema().fields)) | _body(list(ApplicationCreateSchema().fields))
)
def test_schemas_answer_any_json_with_data_or_field_errors(body):
    for schema in (ProgrammeCreateSchema(), ApplicationCreateSchema()):
        try:
            schema.load(body)
        except ValidationError as error:
            assert isinstance(error.messages, dict | list)
