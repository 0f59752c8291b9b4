"""The console's words in English, Japanese and Hindi: one Babel catalogue per language.

The messages are English in the code and templates (``_()``, ``N_()``, ``{{ _() }}``); each
other language has ``locale/<language>/LC_MESSAGES/messages.po``, read once per process and
compiled in memory as ``setu_contract.translations`` does for every service. The mapping that finds
the messages is ``services/console/babel.cfg``; a test fails on any message left
untranslated. The language of a page is the signed-in person's (or the one chosen on the
page, or the browser's, before sign-in).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.support import NullTranslations
from flask import g, request, session

from setu_contract.translations import DEFAULT_LANGUAGE, LANGUAGES, LOCALES, N_, Catalogues

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "LOCALES", "N_", "gettext", "ngettext"]

# Each language's own name, in itself (the language chooser shows these).
LANGUAGE_NAMES = {"en": "English", "ja": "日本語", "hi": "हिन्दी"}
CATALOGUES = Catalogues(Path(__file__).resolve().parent / "locale")


def catalogue_path(language: str) -> Path:
    return CATALOGUES.path(language)


def translations(language: str) -> NullTranslations:
    """The messages of ``language`` (English is the messages themselves), with the words
    every service shares (setu_contract.words)."""
    return CATALOGUES.translations(language)


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
