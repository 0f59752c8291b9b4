"""Setu's three languages: each service's words in gettext catalogues, and values written
as each language's readers write them, both with Babel.

A service writes its messages in English in its code (``_()``, ``N_()``) and templates
(``{% trans %}``, ``{{ _() }}``); ``<package>/locale/<language>/LC_MESSAGES/messages.po``
holds their Japanese and Hindi. A catalogue is read once per process and compiled in memory,
so no ``.mo`` file is built or kept in step. The README's *Words in three languages* says how
to extract the messages and update the catalogues; a test fails on any message untranslated.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.core import Locale
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from babel.support import NullTranslations, Translations

LANGUAGES = ("en", "ja", "hi")
DEFAULT_LANGUAGE = "en"
# The Babel locale of each language: dates and numbers as its readers write them (Hindi
# groups the Indian way, 12,34,567).
LOCALES = {"en": "en_GB", "ja": "ja_JP", "hi": "hi_IN"}
# Money is written as its own country writes it, whatever the reader's language: yen with ¥,
# groups of three and no decimals; rupees with ₹ and Indian grouping (₹4,00,00,000.00).
MONEY_LOCALES = {"JPY": "en_JP", "INR": "en_IN"}
# Parsed once: Babel parses a locale given by its name on every call, half of a date's cost.
_PARSED = {language: Locale.parse(name) for language, name in LOCALES.items()}


def N_(message: str) -> str:
    """Mark ``message`` for the catalogues; it is translated where it is shown."""
    return message


def supported(language: str | None) -> str:
    """``language`` if Setu writes it, else English."""
    return language if language is not None and language in LANGUAGES else DEFAULT_LANGUAGE


class Catalogues:
    """One service's catalogues: ``<locale_dir>/<language>/LC_MESSAGES/messages.po``."""

    def __init__(self, locale_dir: Path):
        self.locale_dir = locale_dir

    def path(self, language: str) -> Path:
        return self.locale_dir / language / "LC_MESSAGES" / "messages.po"

    def translations(self, language: str) -> NullTranslations:
        """The messages of ``language`` (English is the messages themselves)."""
        return _compiled(self.locale_dir, supported(language))


# The words more than one service shows (setu_contract.words): every service's catalogue
# falls back on this one for them, so each has one translation.
WORDS = Catalogues(Path(__file__).resolve().parent / "locale")


@cache
def _compiled(locale_dir: Path, language: str) -> NullTranslations:
    if language == DEFAULT_LANGUAGE:
        return NullTranslations()
    with Catalogues(locale_dir).path(language).open("rb") as po:
        catalog = read_po(po, locale=LOCALES[language])
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    translations = Translations(compiled)
    if locale_dir != WORDS.locale_dir:
        translations.add_fallback(_compiled(WORDS.locale_dir, language))
    return translations


def long_date(day: date, language: str) -> str:
    """1 April 2027, 2027年4月1日, 1 अप्रैल 2027."""
    return format_date(day, "long", locale=_PARSED[supported(language)])


# The same few dates (a programme's, a period's) recur in email after email.
@lru_cache(maxsize=1024)
def iso_long_date(value: str | None, language: str) -> str:
    """An ISO date (or date-time, of which the date is kept) as :func:`long_date` writes it;
    nothing for nothing, and a value that is no date as it is."""
    if not value:
        return ""
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return value
    return long_date(day, language)


def local_date_and_time(moment: datetime, zone: str, language: str) -> tuple[str, str]:
    """The date and the 24-hour time of ``moment`` on the clocks of ``zone``."""
    local = moment.astimezone(ZoneInfo(zone))
    locale = _PARSED[supported(language)]
    return format_date(local, "long", locale=locale), format_time(local, "HH:mm", locale=locale)


def count(number: int | Decimal, language: str) -> str:
    """A count with the language's grouping: 1,234 or (Hindi) 12,34,567."""
    return format_decimal(number, locale=_PARSED[supported(language)])


def money(amount: Decimal, currency: str) -> str:
    """An amount as its currency's country writes it: ¥120,000,000; ₹4,00,00,000.00."""
    return format_currency(amount, currency, locale=MONEY_LOCALES[currency])
