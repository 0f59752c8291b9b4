"""Values as a reader of one language writes them, with Babel: counts, money, rates, dates.

Counts, rates and dates follow the report's locale (translations.LOCALES: 1,234 in English
and Japanese, 1,234 or 12,34,567 in Hindi). Money is written as its own country writes it,
whatever the language (``setu_contract.translations.money``).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from babel.dates import format_date, format_interval, format_skeleton, format_time
from babel.numbers import format_currency, format_decimal, format_percent

from reports.render import words
from reports.translations import LOCALES, translations
from setu_contract import translations as forms

# Chart axes: whole units, with each currency's grouping.
AXIS_MONEY_PATTERNS = {words.JPY: "¤#,##0", words.INR: "¤#,##,##0"}
NOTHING = "—"
INTERNAL_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def decimal(value: object) -> Decimal | None:
    """A table's figure as a Decimal; None for an empty cell."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


# The class's own ``date`` method hides the type inside its body.
Day = date


class Localised:
    """How one language writes a report's words and figures."""

    def __init__(self, language: str):
        self.language = language
        self.locale = LOCALES[language]
        self.translations = translations(language)

    def _(self, message: str, **values: object) -> str:
        text = self.translations.gettext(message)
        return text % values if values else text

    def word(self, column: str, code: object) -> str:
        table = words.COLUMNS[column].words or {}
        return self._(table[code]) if code in table else str(code)

    def header(self, column: str) -> str:
        return self._(words.COLUMNS[column].header)

    def count(self, value: object) -> str:
        number = decimal(value)
        return NOTHING if number is None else forms.count(number, self.language)

    def money(self, currency: str, value: object) -> str:
        amount = decimal(value)
        if amount is None:
            return NOTHING
        return forms.money(amount, currency)

    def axis_money(self, currency: str, value: float) -> str:
        pattern = AXIS_MONEY_PATTERNS[currency]
        return format_currency(
            round(value),
            currency,
            pattern,
            locale=forms.MONEY_LOCALES[currency],
            currency_digits=False,
        )

    def rate(self, value: object) -> str:
        number = decimal(value)
        if number is None:
            return NOTHING
        return format_percent(number, "#,##0.0%", locale=self.locale)

    def days(self, value: object) -> str:
        number = decimal(value)
        return NOTHING if number is None else format_decimal(number, "#,##0.0", locale=self.locale)

    def month(self, value: str) -> str:
        year, month = value.split("-")
        return format_skeleton("yMMM", date(int(year), int(month), 1), locale=self.locale)

    def date(self, value: date) -> str:
        return forms.long_date(value, self.language)

    def period(self, start: Day, end: Day) -> str:
        if start == end:
            return self.date(start)
        return format_interval(start, end, "yMMMd", locale=self.locale)

    def moment(self, value: datetime) -> str:
        day = format_date(value.astimezone(UTC), "long", locale=self.locale)
        return f"{day} {format_time(value, 'HH:mm', tzinfo=UTC, locale=self.locale)} UTC"

    def cell(self, column: str, value: object) -> str:
        """A table cell as a reader sees it."""
        kind = words.COLUMNS[column].kind
        if kind == words.WORD:
            return self.word(column, value)
        if kind in words.MONEY:
            return self.money(kind, value)
        written = {
            words.COUNT: self.count,
            words.RATE: self.rate,
            words.DAYS: self.days,
        }.get(kind)
        if written is not None:
            return written(value)
        if kind == words.MONTH:
            return self.month(str(value))
        if kind == words.DATE:
            return self.date(Day.fromisoformat(str(value))) if value else ""
        if value in (None, "") or INTERNAL_ID.fullmatch(str(value)):
            # An organisation whose name has not arrived yet: its id is no name to show.
            return self._("(unknown organisation)")
        return str(value)

    def figure(self, kind: str, value: Decimal | None) -> str:
        """A headline figure (a count, an amount of money or a rate)."""
        if kind in words.MONEY:
            return self.money(kind, value)
        if kind == words.RATE:
            return self.rate(value)
        return self.count(value)
