"""Pure parts of the reports service: money, periods, file names, renderers, request schema."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
from marshmallow import ValidationError

from reports.domain.catalogue import file_name, period_bounds
from reports.domain.money import BadAmount, from_minor, to_minor
from reports.domain.tables import ReportData, Table
from reports.render import csv_format, json_format
from reports.schemas import ReportCreateSchema


@pytest.mark.parametrize(
    ("currency", "amount", "minor"),
    [
        ("JPY", "5000", 5000),
        ("JPY", "0", 0),
        ("INR", "1234.50", 123450),
        ("INR", "0.01", 1),
        ("INR", "7", 700),
    ],
)
def test_amounts_become_exact_minor_units(currency, amount, minor):
    assert to_minor(currency, amount) == minor


@pytest.mark.parametrize(
    ("currency", "amount"), [("JPY", "1.5"), ("INR", "0.001"), ("INR", "abc"), ("JPY", "NaN")]
)
def test_impossible_amounts_are_refused(currency, amount):
    with pytest.raises(BadAmount):
        to_minor(currency, amount)


def test_minor_units_print_in_the_currency_own_precision():
    assert from_minor("JPY", 1_000_000) == "1000000"
    assert from_minor("INR", 123450) == "1234.50"
    assert from_minor("INR", None) == "0.00"


def test_a_period_is_inclusive_of_both_dates_in_utc():
    lower, upper = period_bounds(date(2026, 3, 1), date(2026, 3, 31))
    assert lower == datetime(2026, 3, 1, tzinfo=UTC)
    assert upper == datetime(2026, 4, 1, tzinfo=UTC)


def test_file_names_say_type_and_period():
    assert file_name("exchange_flows", "pdf", date(2026, 1, 1), date(2026, 1, 31)) == (
        "exchange_flows_2026-01-01_2026-01-31.pdf"
    )


def _report() -> ReportData:
    table = Table(
        "t",
        "A table",
        ("focus_area", "programmes"),
        [("ai_research", 2), ("ai_ethics_governance", 1)],
    )
    return ReportData(
        "programme_portfolio",
        "Programme portfolio",
        date(2026, 1, 1),
        date(2026, 1, 31),
        datetime(2026, 2, 1, tzinfo=UTC),
        "cid",
        [table],
    )


def test_csv_is_the_first_table_with_a_header():
    rows = list(csv.reader(io.StringIO(csv_format.render(_report()).decode())))
    assert rows == [
        ["focus_area", "programmes"],
        ["ai_research", "2"],
        ["ai_ethics_governance", "1"],
    ]


def test_json_carries_every_table_as_records():
    document = json.loads(json_format.render(_report()))
    assert document["period"] == {"start": "2026-01-01", "end": "2026-01-31"}
    assert document["tables"]["t"][0] == {"focus_area": "ai_research", "programmes": 2}


def test_the_request_schema_fills_defaults_and_orders_the_period():
    body = ReportCreateSchema().load(
        {
            "type": "programme_portfolio",
            "format": "csv",
            "period": {"start": "2026-01-01", "end": "2026-01-01"},
        }
    )
    assert body["filters"] == {} and body["recipients"] == []
    with pytest.raises(ValidationError) as caught:
        ReportCreateSchema().load(
            {
                "type": "programme_portfolio",
                "format": "csv",
                "period": {"start": "2026-01-02", "end": "2026-01-01"},
            }
        )
    assert "end" in caught.value.messages["period"]
