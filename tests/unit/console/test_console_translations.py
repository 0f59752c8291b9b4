"""The console's catalogues: every message of the code and templates is translated into
Japanese and Hindi, with the same placeholders, and every code of the API has its word.

The messages are found as `pybabel extract -F services/console/babel.cfg` finds them, so a
message added without its translations fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from console import vocabulary
from console.translations import LANGUAGES, catalogue_path, translations
from setu_contract.vocabulary import CAREER_STAGES, FOCUS_AREAS, PROGRAMME_STATUSES

SERVICE = Path(__file__).resolve().parents[3] / "services" / "console"


def extracted() -> set[str | tuple[str, str]]:
    with (SERVICE / "babel.cfg").open() as mapping:
        method_map, options_map = parse_mapping_cfg(mapping)
    found = extract_from_dir(str(SERVICE), method_map, options_map)
    return {message for _, _, message, _, _ in found}


@pytest.fixture(scope="module")
def messages() -> set:
    found = extracted()
    assert len(found) > 150, "the extraction finds the messages"
    return found


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_every_message_is_translated_with_its_placeholders(messages, language):
    with catalogue_path(language).open("rb") as po:
        catalog = read_po(po)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    assert not messages - translated, f"untranslated in {language}: {messages - translated}"
    assert not translated - messages, f"no longer used: {translated - messages}"
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog.check() if errors]
    assert not problems, problems
    words_of = translations(language)
    singular = [m for m in messages if isinstance(m, str) and any(c.isalpha() for c in m)]
    assert all(words_of.gettext(m) != m for m in singular)


def test_every_code_of_the_api_has_a_word():
    assert set(PROGRAMME_STATUSES) <= set(vocabulary.STATUSES)
    assert set(FOCUS_AREAS) == set(vocabulary.FOCUS_AREAS)
    assert set(CAREER_STAGES) <= set(vocabulary.OTHER)


def marshmallow_messages() -> list[str]:
    """What marshmallow itself answers for the fields and validators the API uses."""
    from marshmallow import Schema, fields, validate

    class Checked(Schema):
        required = fields.String(required=True)
        text = fields.String(validate=validate.Length(min=5, max=200))
        short = fields.String(validate=validate.Length(max=3))
        long = fields.List(fields.String(), validate=validate.Length(min=2))
        choice = fields.String(validate=validate.OneOf(["lead", "member"]))
        email = fields.Email()
        day = fields.Date()
        count = fields.Integer(validate=validate.Range(min=0, max=500))
        least = fields.Integer(validate=validate.Range(min=1))
        nothing = fields.String(allow_none=False)
        items = fields.List(fields.String())

    bad = {
        "text": "abc",
        "short": "abcd",
        "long": ["a"],
        "choice": "boss",
        "email": "no-at-sign",
        "day": "2027-13-01",
        "count": 501,
        "least": 0,
        "nothing": None,
        "items": "not a list",
        "unknown": 1,
    }
    errors = Checked().validate(bad)
    messages = [m for value in errors.values() for m in value]
    messages += [
        m for value in Checked().validate({"count": "x", "text": 5}).values() for m in value
    ]
    assert len(messages) >= 13
    return messages


@pytest.mark.parametrize("language", ["ja", "hi"])
def test_the_apis_field_messages_are_shown_in_the_persons_language(language):
    from flask import Flask, g

    from console.api_messages import translated

    api_own = [
        "must be after start_date",
        "between 2 and 20 partners",
        "amount 12.345: JPY amounts allow at most 0 decimal places",
        "people of a partner organisation are partner",
    ]
    with Flask(__name__).test_request_context("/console/"):
        g.language = language
        for message in [*marshmallow_messages(), *api_own]:
            assert translated(message) != message, message
        assert translated("Length must be between 5 and 200.").count("200") == 1
        assert translated("something the console has not met") == (
            "something the console has not met"
        )
        partners = translated("Length must be between 2 and 20.", "partners")
        assert partners == translated("between 2 and 20 partners", "partners")
        assert partners != translated("Length must be between 2 and 20.", "title")
        g.language = "en"
        # marshmallow's words never reach a person, in English either: a sentence saying
        # what to do, for the field it is about.
        for message in marshmallow_messages():
            assert translated(message) != message, message
        assert translated("Length must be between 5 and 200.", "title") == (
            "Enter between 5 and 200 characters."
        )
        for field in ("partners", "json.partners"):
            assert translated("Length must be between 2 and 20.", field) == (
                "Choose between 2 and 20 partner organisations."
            )
        assert translated("between 2 and 20 partners", "partners") == (
            "Choose between 2 and 20 partner organisations."
        )
        assert translated("Shorter than minimum length 2.", "partners.0") == (
            "Choose at least 2 partner organisations."
        )
        assert translated("Missing data for required field.") == "Fill in this field."


def test_a_time_is_written_in_each_persons_zone_and_language_however_often_it_is_shown():
    from flask import Flask, g, session

    from console.formatting import moment

    app = Flask(__name__)
    app.secret_key = "moment-test"
    at = "2027-04-01T00:30:00+00:00"
    written = {}
    for zone, language in [("Asia/Tokyo", "en"), ("Asia/Kolkata", "en"), ("Asia/Tokyo", "ja")]:
        for _ in range(2):  # the second time from the cache: the same words
            with app.test_request_context("/console/"):
                session["time_zone"] = zone
                g.language = language
                written.setdefault((zone, language), set()).add(moment(at))
    assert all(len(words) == 1 for words in written.values())
    tokyo, kolkata, tokyo_ja = (next(iter(w)) for w in written.values())
    # The zone named in the person's language, not by its code.
    assert "9:30" in tokyo and "(Japan Standard Time)" in tokyo
    assert "6:00" in kolkata and "(India Standard Time)" in kolkata
    assert tokyo_ja != tokyo and "2027/04/01" in tokyo_ja and "(日本標準時)" in tokyo_ja
    with app.test_request_context("/console/"):
        assert moment(None) == "" and moment("not a time") == "not a time"


def test_a_status_tag_is_its_words_in_each_persons_language_however_often_it_is_shown():
    from flask import Flask, g

    from console.formatting import tag

    app = Flask(__name__)
    shown = {}
    for language in ("en", "ja", "hi", "en"):  # English again: from the cache, still English
        with app.test_request_context("/console/"):
            g.language = language
            shown[language] = tag("submitted")
    english = vocabulary.WORDS["submitted"]
    assert shown["en"] == f'<strong class="tag tag--submitted">{english}</strong>'
    for language in ("ja", "hi"):
        assert shown[language] == (
            f'<strong class="tag tag--submitted">{translations(language).gettext(english)}</strong>'
        )
        assert translations(language).gettext(english) != english
    with app.test_request_context("/console/"):
        # A code the console has no words for is shown as it is, escaped.
        assert (
            tag('<b>"x"')
            == '<strong class="tag tag--&lt;b&gt;&#34;x&#34;">&lt;b&gt;&#34;x&#34;</strong>'
        )
