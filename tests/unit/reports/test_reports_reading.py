"""How a report reads, on plain data: file names, the previous period, numbers and money in
each language, the order of rows and bars, and what chart axes carry."""

from __future__ import annotations

import warnings
from datetime import date

import matplotlib
import pytest

from reports.domain.catalogue import download_name
from reports.domain.summary import INR, JPY, SHARE, Headline, compare, previous_period
from reports.domain.tables import GROUPED, Chart, Table
from reports.render import charts
from reports.render.fonts import chart_families
from reports.render.localised import Localised
from reports.render.page import shown_headline, shown_table


@pytest.mark.parametrize(
    ("start", "end", "language", "name"),
    [
        ((2026, 1, 1), (2026, 3, 31), "en", "setu-programme-portfolio-2026-Q1.pdf"),
        ((2026, 1, 1), (2026, 12, 31), "ja", "setu-programme-portfolio-2026-ja.pdf"),
        ((2026, 3, 1), (2026, 3, 31), "hi", "setu-programme-portfolio-2026-03-hi.pdf"),
        ((2026, 2, 1), (2026, 5, 31), "en", "setu-programme-portfolio-2026-02-to-2026-05.pdf"),
        ((2026, 3, 30), (2026, 4, 5), "en", "setu-programme-portfolio-2026-W14.pdf"),
        ((2026, 3, 5), (2026, 3, 5), "en", "setu-programme-portfolio-2026-03-05.pdf"),
        (
            (2026, 1, 15),
            (2026, 3, 31),
            "en",
            "setu-programme-portfolio-2026-01-15-to-2026-03-31.pdf",
        ),
    ],
)
def test_a_download_is_named_as_a_person_names_its_period(start, end, language, name):
    assert download_name("programme_portfolio", "pdf", date(*start), date(*end), language) == name
    csv = download_name("programme_portfolio", "csv", date(*start), date(*end), language)
    assert csv == name.replace(f"-{language}.pdf", ".pdf").replace(".pdf", ".csv")


@pytest.mark.parametrize(
    ("period", "previous"),
    [
        (((2026, 1, 1), (2026, 3, 31)), ((2025, 10, 1), (2025, 12, 31))),
        (((2026, 3, 1), (2026, 3, 31)), ((2026, 2, 1), (2026, 2, 28))),
        (((2026, 1, 1), (2026, 12, 31)), ((2025, 1, 1), (2025, 12, 31))),
        (((2026, 3, 30), (2026, 4, 5)), ((2026, 3, 23), (2026, 3, 29))),
        (((2026, 1, 15), (2026, 1, 24)), ((2026, 1, 5), (2026, 1, 14))),
    ],
)
def test_the_previous_period_has_the_same_length(period, previous):
    start, end = (date(*d) for d in period)
    assert previous_period(start, end) == tuple(date(*d) for d in previous)


@pytest.mark.parametrize("language", ["en", "ja", "hi"])
def test_money_is_written_as_its_country_writes_it_in_every_language(language):
    text = Localised(language)
    assert text.money(JPY, "120000000") == "¥120,000,000"
    assert text.money(INR, "40000000.00") == "₹4,00,00,000.00"
    assert text.axis_money(INR, 2.5e8) == "₹25,00,00,000"
    assert text.rate("0.5000") == "50.0%" and text.rate("") == "—"


def test_counts_and_dates_follow_the_reports_locale():
    assert Localised("en").count(1234567) == "1,234,567"
    assert Localised("hi").count(1234567) == "12,34,567"
    assert Localised("ja").date(date(2026, 4, 1)) == "2026年4月1日"
    assert Localised("hi").date(date(2026, 4, 1)) == "1 अप्रैल 2026"
    period = Localised("en").period(date(2026, 1, 1), date(2026, 3, 31))
    assert period == "1 Jan\u2009\u2013\u200931 Mar 2026"  # thin spaces about the en dash


FLOWS = Table(
    "flows",
    "Applications by direction and career stage",
    ("direction", "career_stage", "submitted", "acceptance_rate"),
    [
        ("IN_TO_JP", "phd", 2, "0.5000"),
        ("JP_TO_IN", "postdoc", 1, ""),
        ("JP_TO_IN", "masters", 3, "1.0000"),
    ],
)


def test_a_table_shows_words_in_reading_order_and_no_id():
    table = Table(
        "organisations",
        "Activity per organisation",
        ("organisation_id", "name", "country"),
        [("6f1c3c9e-1d7b-4a57-9a43-2d8f1f2b8f61", "", "IN"), ("o-2", "東北大学", "JP")],
    )
    shown = shown_table(table, Localised("ja"))
    assert shown.headers == ["機関", "国"]
    unknown = "\uff08不明な機関\uff09"  # in full-width parentheses
    assert shown.rows == [[unknown, "インド"], ["東北大学", "日本"]]  # as computed
    flows = shown_table(FLOWS, Localised("en"))
    assert [row[:2] for row in flows.rows] == [
        ["Japan to India", "Master's student"],
        ["Japan to India", "Postdoctoral researcher"],
        ["India to Japan", "Doctoral student"],
    ]
    assert flows.classes == ["w", "w", "n", "n"]


def test_the_summary_says_the_change_against_the_previous_period():
    rate = Headline("Acceptance rate", "rate", "flows", SHARE, ("submitted", "submitted"))
    count = Headline("Applications submitted", "count", "flows", columns=("submitted",))
    earlier = Table(FLOWS.name, FLOWS.title, FLOWS.columns, FLOWS.rows[:1])
    items = compare((count, rate), [FLOWS], [earlier])
    shown = [shown_headline(item, Localised("en")) for item in items]
    assert (shown[0].current, shown[0].previous, shown[0].change) == ("6", "2", "+4 (+200.0%)")
    assert shown[0].trend == "up" and shown[1].change == "±0.0 points"


def _labels(chart: Chart, table: Table, language: str = "en") -> tuple[list[str], list[str]]:
    with (
        matplotlib.rc_context({"font.family": chart_families()}),
        warnings.catch_warnings(),
    ):
        warnings.filterwarnings("error", message=r"(?s).*[Gg]lyph.*missing")
        figure = charts._draw(chart, table, Localised(language), charts.months_of(*QUARTER))
        figure.draw_without_rendering()
    axes = figure.axes[0]
    values = axes.get_xticklabels() if chart.horizontal else axes.get_yticklabels()
    labels = axes.get_yticklabels() if chart.horizontal else axes.get_xticklabels()
    return [t.get_text() for t in labels], [t.get_text() for t in values]


QUARTER = (date(2026, 1, 1), date(2026, 3, 31))


def test_count_axes_carry_whole_numbers_and_codes_become_words():
    chart = Chart("Exchanges", "flows", "career_stage", "submitted", "direction", GROUPED)
    labels, values = _labels(chart, FLOWS)
    assert labels == ["Master's\nstudent", "Doctoral\nstudent", "Postdoctoral\nresearcher"]
    assert values and all(v.isdigit() for v in values), values


def test_money_axes_carry_the_sign_and_grouping_and_every_month_of_the_period():
    table = Table(
        "by_month_and_focus_area",
        "t",
        ("month", "focus_area", "committed_jpy"),
        [("2026-02", "ai_research", "120000000"), ("2026-02", "talent_development", "5000")],
    )
    chart = Chart("Yen", table.name, "month", "committed_jpy", "focus_area")
    labels, values = _labels(chart, table, "hi")
    assert len(labels) == 3  # January and March too, with nothing in them
    assert all(v.startswith("¥") and "e" not in v for v in values if v), values
    assert "¥120,000,000" in values or any("," in v for v in values)


def test_months_run_in_time_and_focus_areas_as_the_vocabulary_lists_them():
    table = Table(
        "by_month_and_focus_area",
        "t",
        ("month", "focus_area", "programmes"),
        [
            ("2026-02", "talent_development", 1),
            ("2026-02", "ai_research", 2),
            ("2026-01", "ai_healthcare", 3),
        ],
    )
    rows = shown_table(table, Localised("en")).rows
    assert [r[:2] for r in rows] == [
        ["Jan 2026", "AI in healthcare"],
        ["Feb 2026", "AI research"],
        ["Feb 2026", "Talent development"],
    ]
