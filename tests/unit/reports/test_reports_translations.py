"""The reports service's words: every code has its word and every column its header (the
catalogues themselves: tests/unit/contract/test_translation_catalogues.py)."""

from __future__ import annotations

from reports.domain.catalogue import DIRECTIONS
from reports.render import words
from setu_contract.vocabulary import CAREER_STAGES, FOCUS_AREAS, PROGRAMME_STATUSES


def test_every_code_has_a_word_and_every_column_a_header():
    assert list(words.FOCUS_AREAS) == list(FOCUS_AREAS)
    assert list(words.STATUSES) == list(PROGRAMME_STATUSES)
    assert list(words.CAREER_STAGES) == list(CAREER_STAGES)
    assert list(words.DIRECTIONS) == list(DIRECTIONS)
    assert all(column.header for column in words.COLUMNS.values())
