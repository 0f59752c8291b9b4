"""The reports service's words in English, Japanese and Hindi: one Babel catalogue per language.

The messages are English in the code and templates (``_()``, ``N_()``, ``{{ _() }}``); each
other language has ``locale/<language>/LC_MESSAGES/messages.po``, read and compiled as
``setu_contract.translations`` does for every service. The mapping that finds the messages is
``services/reports/babel.cfg``; README's *Words in three languages* says how to extract them
and update the catalogues, and a test fails on any message left untranslated.
"""

from __future__ import annotations

from pathlib import Path

from babel.support import NullTranslations

from setu_contract.translations import DEFAULT_LANGUAGE, LANGUAGES, LOCALES, N_, Catalogues

__all__ = ["CATALOGUES", "DEFAULT_LANGUAGE", "LANGUAGES", "LOCALES", "N_", "translations"]

CATALOGUES = Catalogues(Path(__file__).resolve().parent / "locale")


def translations(language: str) -> NullTranslations:
    """The messages of ``language`` (English is the messages themselves)."""
    return CATALOGUES.translations(language)
