"""The console's words in English, Japanese and Hindi: one Babel catalogue per language.

The messages are English in the code and templates (``_()``, ``N_()``, ``{{ _() }}``); each
other language has ``locale/<language>/LC_MESSAGES/messages.po``, read once per process with
Babel and compiled in memory (no .mo file to build or keep in step). The mapping that finds
the messages is ``services/console/babel.cfg``; a test fails on any message left
untranslated. The language of a page is the signed-in person's (or the one chosen on the
page, or the browser's, before sign-in).
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import g, request, session

LANGUAGES = ("en", "ja", "hi")
DEFAULT_LANGUAGE = "en"
# The Babel locale of each language: dates, numbers and money as its readers write them.
LOCALES = {"en": "en_GB", "ja": "ja_JP", "hi": "hi_IN"}
# Each language's own name, in itself (the language chooser shows these).
LANGUAGE_NAMES = {"en": "English", "ja": "日本語", "hi": "हिन्दी"}
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def N_(message: str) -> str:
    """Mark ``message`` for the catalogues; it is translated where it is shown."""
    return message


def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"


@cache
def translations(language: str) -> NullTranslations:
    """The messages of ``language`` (English is the messages themselves)."""
    if language not in LANGUAGES or language == DEFAULT_LANGUAGE:
        return NullTranslations()
    with catalogue_path(language).open("rb") as po:
        catalog = read_po(po, locale=LOCALES[language])
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def current_language() -> str:
    """This request's language: the person's (kept in the session at sign-in, or chosen on
    a page), else the browser's best match, else English."""
    cached = g.get("language")
    if cached:
        return cached
    chosen = session.get("language")
    if chosen not in LANGUAGES:
        chosen = request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE
    g.language = chosen
    return chosen


def gettext(message: str, **variables: Any) -> str:
    text = translations(current_language()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, number: int, **variables: Any) -> str:
    text = translations(current_language()).ngettext(singular, plural, number)
    return text % {"num": number, **variables}


_ = gettext
