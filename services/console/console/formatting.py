"""Numbers, money, dates and codes as the person reads them (Babel, in their locale and zone)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache, lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_datetime, get_timezone_name
from babel.numbers import format_currency, format_decimal
from flask import session
from markupsafe import Markup, escape

from console import translations
from console.translations import LOCALES, current_language
from console.vocabulary import WORDS
from setu_contract.translations import MONEY_LOCALES
from setu_contract.translations import money as written_money

DEFAULT_TIME_ZONE = "UTC"


@cache
def _locale(language: str) -> Locale:
    # Parsed once: Babel parses a locale's name again on every call given the name, a
    # third of a long page's formatting.
    return Locale.parse(LOCALES[language])


def locale() -> Locale:
    return _locale(current_language())


def money(amount: Any, currency: str) -> str:
    """¥50,000,000 or ₹2,50,00,000.00 in every language: an amount as its own country
    writes it, as the emails and the reports write it (setu_contract.translations.money)."""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return f"{amount} {currency}"
    if currency not in MONEY_LOCALES:
        return format_currency(value, currency, locale=locale())
    return written_money(value, currency)


def number(value: Any) -> str:
    return format_decimal(value, locale=locale())


def score(value: Any) -> str:
    """A review's weighted score or a mean of them out of 5, always with two decimals (4.00,
    4.75, 4.38), rounded half up as the API rounds its means: a column of them reads alike,
    and a score of weights such as 1 and 2 does not run to a dozen digits."""
    try:
        rounded = Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    except InvalidOperation:
        return str(value)
    return format_decimal(rounded, format="0.00", locale=locale())


def day(value: Any) -> str:
    """An ISO date as the locale writes it in full (1 April 2027, 2027年4月1日)."""
    if not value:
        return ""
    try:
        parsed = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return format_date(parsed, format="long", locale=locale())


def moment(value: Any) -> str:
    """An ISO time in the person's time zone, with the zone named in the person's language
    (Japan Standard Time, 日本標準時, भारतीय मानक समय)."""
    if not value:
        return ""
    if not isinstance(value, str | datetime):
        return str(value)
    return _moment(value, session.get("time_zone") or DEFAULT_TIME_ZONE, current_language())


@lru_cache(maxsize=4096)
def _moment(value: Any, zone_name: str, language: str) -> str:
    """The same time, zone and language are written the same way each time: a page shows
    the same few times to the same person on each visit (My work's rows, a history), and
    Babel takes 15 us a time to write one."""
    try:
        parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    zone = _zone(zone_name)
    # A time without its offset is UTC, as the API writes every time.
    local = (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(zone)
    written = format_datetime(local, format="medium", tzinfo=zone, locale=_locale(language))
    return f"{written} ({_named(local, language)})"


def zone_name(name: Any) -> str:
    """A time zone's code (Asia/Tokyo) as the person's language names it (Japan Standard
    Time, 日本標準時); a code that is no zone is shown as it is."""
    try:
        zone = ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        return str(name)
    return _named(datetime.now(zone), current_language())


def _named(local: datetime, language: str) -> str:
    # Named at a moment, not in general: Babel names UTC in general "Unknown Region (UTC)
    # Time" and Tokyo "Japan Time"; at a moment, "Coordinated Universal Time" and "Japan
    # Standard Time".
    return get_timezone_name(local, width="long", locale=_locale(language))


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


def word(code: Any) -> str:
    """A code of the API (a status, an action, a focus area...) as words in the language."""
    if code is None:
        return ""
    return _word(str(code), current_language())


@lru_cache(maxsize=4096)
def _word(code: str, language: str) -> str:
    """A code's words in a language, looked up once: a list page names a status on every
    row (My work's hundred rows, 3.7 us each through the request's language and catalogue)."""
    english = WORDS.get(code)
    return translations.translations(language).gettext(english) if english else code


def tag(code: Any) -> Markup:
    """A status (or outcome, hold...) as a tag: its words, coloured by its code."""
    return Markup(f'<strong class="tag tag--{escape(code)}">{escape(word(code))}</strong>')
