"""Every service's catalogues: each message of its code and templates, as
`pybabel extract -F services/<service>/babel.cfg` finds them, is translated into Japanese and
Hindi (not empty, not fuzzy, the same placeholders), and the catalogues hold nothing else.

A message added, changed or removed without updating the catalogues fails here (README:
*Words in three languages*).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from console.translations import CATALOGUES as CONSOLE
from notifications.mail.templates import CATALOGUES as NOTIFICATIONS
from reports.translations import CATALOGUES as REPORTS
from setu_contract.translations import LANGUAGES, WORDS, Catalogues

SERVICES = Path(__file__).resolve().parents[3] / "services"
CATALOGUES = {"contract": WORDS, "notifications": NOTIFICATIONS, "reports": REPORTS}
PLACEHOLDER = re.compile(r"%\(\w+\)s")
TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict[str, Catalog]:
    """Each service's messages, extracted by pybabel with the service's own mapping."""
    found = {}
    for service in CATALOGUES:
        template = tmp_path_factory.mktemp(service) / "messages.pot"
        folder = SERVICES / service
        CommandLineInterface().run(
            [
                "pybabel",
                "-q",
                "extract",
                "-F",
                f"{folder}/babel.cfg",
                "-o",
                str(template),
                str(folder),
            ]
        )
        with template.open("rb") as pot:
            found[service] = read_po(pot)
    return found


def _read(catalogues: Catalogues, language: str) -> Catalog:
    with catalogues.path(language).open("rb") as po:
        return read_po(po)


@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize("service", list(CATALOGUES))
def test_every_message_is_translated_and_nothing_else_is_kept(extracted, service, language):
    messages = {(m.context, m.id) for m in extracted[service] if m.id}
    assert len(messages) > 50, "the extraction finds the service's messages"
    catalog = _read(CATALOGUES[service], language)
    kept = {(m.context, m.id) for m in catalog if m.id}
    translated = {(m.context, m.id) for m in catalog if m.id and m.string and not m.fuzzy}
    assert not messages - translated, f"untranslated in {language}: {sorted(messages - translated)}"
    assert not kept - messages, f"no longer used: {sorted(kept - messages)}"
    assert not list(catalog.obsolete), f"obsolete entries: {list(catalog.obsolete)}"


@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize("service", list(CATALOGUES))
def test_every_translation_keeps_the_placeholders_of_its_message(service, language):
    catalog = _read(CATALOGUES[service], language)
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog.check() if errors]
    assert not problems, problems
    words = CATALOGUES[service].translations(language)
    # A message of placeholders and punctuation alone may be the same in a language.
    lettered = [m for m in catalog if m.id and any(c.isalpha() for c in PLACEHOLDER.sub("", m.id))]
    same = [
        m.id
        for m in lettered
        if m.id not in _SAME_IN_EVERY_LANGUAGE and _translated(words, m.context, m.id) == m.id
    ]
    assert not same, f"read as English in {language}: {same}"


def _translated(words, context: str | None, message: str) -> str:
    return words.pgettext(context, message) if context else words.gettext(message)


# Words that every language writes alike (a standard's name).
_SAME_IN_EVERY_LANGUAGE = {"UTC"}


@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize(
    "catalogues", [CONSOLE, NOTIFICATIONS, REPORTS], ids=["console", "notifications", "reports"]
)
def test_a_shared_word_has_one_translation_the_contracts(catalogues, language):
    """A word of setu_contract.words is translated once, in the contract's catalogue: a
    service that kept its own would show a status in other words than a report does."""
    shared = {m.id for m in _read(WORDS, language) if m.id}
    own = {m.id for m in _read(catalogues, language) if m.id and not m.context}
    assert not own & shared, f"translated again: {sorted(own & shared)}"
    words = catalogues.translations(language)
    contract = WORDS.translations(language)
    assert all(words.gettext(word) == contract.gettext(word) for word in shared)
