"""Templates compiled in each language (console.templating) draw what the same template draws
when its words are looked up as it is drawn."""

from __future__ import annotations

import jinja2
import pytest
from flask import render_template

from console import templating
from console.translations import LANGUAGES, translations
from tests.unit.console.fake_api import FakeApi, console_for

# Each template with what it needs to be drawn, and some of what it must say.
PAGES = [
    ("error.html", {"status": 404, "message": ""}),
    ("error.html", {"status": 429, "message": "", "retry_after": 30}),
    ("sign_in/start.html", {"errors": {}, "values": {}, "next": None}),
    ("sign_in/check_email.html", {"email": "a@example.org"}),
]


@pytest.fixture(scope="module")
def app():
    return console_for(FakeApi())


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("name", "values"), PAGES)
def test_a_page_compiled_in_its_language_draws_what_it_draws_with_words_looked_up(
    app, language, name, values
):
    with app.test_request_context("/console/", headers={"Accept-Language": language}):
        compiled = render_template(name, **values)
        # The bare name: the template compiled with no language, each word looked up.
        looked_up = jinja2.Environment.get_template(app.jinja_env, name).render(**values)
    assert compiled == looked_up
    assert f'<html lang="{language}">' in compiled
    assert translations(language).gettext("Setu console") in compiled


@pytest.mark.parametrize("language", ["ja", "hi"])
def test_a_fixed_word_is_written_into_the_compiled_template_translated(app, language):
    with app.test_request_context("/console/", headers={"Accept-Language": language}):
        template = app.jinja_env.get_template("base.html")
    assert template.name == f"{language}:base.html"
    source = app.jinja_env.loader.get_source(app.jinja_env, template.name)[0]
    compiled = app.jinja_env.compile(source, template.name, raw=True)
    assert translations(language).gettext("Skip to main content") in compiled
    assert "Skip to main content" not in compiled
    # A message with values to fill in stays a call.
    assert "%(side)s side" in compiled


def test_what_a_template_extends_or_imports_is_drawn_in_its_language(app):
    with app.test_request_context("/console/", headers={"Accept-Language": "hi"}):
        page = app.jinja_env.get_template("programmes/show.html")
    assert page.name == "hi:programmes/show.html"
    assert app.jinja_env.join_path("macros.html", page.name) == "hi:macros.html"
    assert app.jinja_env.join_path("macros.html", "macros.html") == "macros.html"


def test_a_translation_is_markup_with_percent_read_as_newstyle_gettext_reads_it(monkeypatch):
    monkeypatch.setattr(
        templating, "translations", _Catalogue({"Fifty %% & more": "五十%%以上 & <b>"})
    )
    environment = jinja2.Environment(
        loader=jinja2.DictLoader(
            {"ja:page.html": '{{ _("Fifty %% & more") }}|{{ _("x").upper() }}|{{ _("y", n=1) }}'}
        ),
        autoescape=True,
        extensions=[templating.FixedWords],
    )
    environment.globals["_"] = lambda message, **values: message % values
    # Not escaped, as the Markup of newstyle gettext is not; %% read as %; a method of the
    # words still applies to them; a call with values stays a call.
    assert environment.get_template("ja:page.html").render() == "五十%以上 & <b>|X|y"


class _Catalogue:
    def __init__(self, words: dict[str, str]):
        self.words = words

    def translations(self, _language: str) -> _Catalogue:
        return self

    def gettext(self, message: str) -> str:
        return self.words.get(message, message)


def _kept(directory) -> templating.CompiledOnce:
    """The bytecode cache a new process would have, in ``directory``."""
    kept = templating.CompiledOnce()
    kept.directory = str(directory)
    return kept


def _environment(kept: templating.CompiledOnce, source: str) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.DictLoader({"page.html": source}), bytecode_cache=kept)


def _loaded(kept: templating.CompiledOnce, environment: jinja2.Environment) -> bool:
    """Whether ``kept`` holds code for page.html as ``environment`` would compile it."""
    source = environment.loader.get_source(environment, "page.html")[0]
    return kept.get_bucket(environment, "page.html", None, source).code is not None


def test_a_template_compiled_by_one_process_is_loaded_by_the_next(tmp_path):
    first = _environment(_kept(tmp_path), "Hello {{ name }}")
    assert first.get_template("page.html").render(name="Asha") == "Hello Asha"
    later = _kept(tmp_path)
    assert _loaded(later, _environment(later, "Hello {{ name }}"))
    page = _environment(later, "Hello {{ name }}").get_template("page.html")
    assert page.render(name="Asha") == "Hello Asha"
    # A changed source is compiled anew (Jinja compares the source's checksum).
    assert not _loaded(later, _environment(later, "Goodbye {{ name }}"))


def test_a_changed_catalogue_is_compiled_anew_not_loaded(tmp_path, monkeypatch):
    po = tmp_path / "locale" / "ja" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid "Budget"\nmsgstr "予算"\n', encoding="utf-8")
    monkeypatch.setattr(
        templating.translations, "CATALOGUES", templating.translations.Catalogues(po.parents[2])
    )
    before = _kept(tmp_path / "cache")
    (tmp_path / "cache").mkdir()
    _environment(before, "{{ 1 }}").get_template("page.html")
    assert _loaded(_kept(tmp_path / "cache"), _environment(before, "{{ 1 }}"))
    po.write_text('msgid "Budget"\nmsgstr "予算額"\n', encoding="utf-8")
    after = _kept(tmp_path / "cache")
    assert not _loaded(after, _environment(after, "{{ 1 }}"))


def test_a_directory_that_cannot_be_used_leaves_the_code_in_the_process(tmp_path):
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")
    kept = _kept(not_a_directory)
    environment = _environment(kept, "Hello {{ name }}")
    assert environment.get_template("page.html").render(name="Ravi") == "Hello Ravi"
    assert not _loaded(_kept(not_a_directory), environment)
