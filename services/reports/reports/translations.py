"""The reports service's words in English, Japanese and Hindi: one Babel catalogue per language.

The messages are English in the code and templates (``_()``, ``N_()``, ``{{ _() }}``); each
other language has ``locale/<language>/LC_MESSAGES/messages.po``, read once per process with
Babel and compiled in memory (no .mo file to build or keep in step). The mapping that finds the
messages is ``services/reports/babel.cfg``; README's *Reports: words and numbers* says how to
extract them and update the catalogues, and a test fails on any message left untranslated.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LANGUAGES = ("en", "ja", "hi")
DEFAULT_LANGUAGE = "en"
# The Babel locale of each language: dates, numbers and percentages as its readers write them.
LOCALES = {"en": "en_GB", "ja": "ja_JP", "hi": "hi_IN"}
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def N_(message: str) -> str:
    """Mark ``message`` for the catalogues; it is translated where it is shown."""
    return message


def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"


@cache
def translations(language: str) -> NullTranslations:
    """The messages of ``language`` (English is the messages themselves)."""
    if language == DEFAULT_LANGUAGE:
        return NullTranslations()
    with catalogue_path(language).open("rb") as po:
        catalog = read_po(po, locale=LOCALES[language])
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)
