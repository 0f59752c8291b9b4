"""Templates compiled once per language, with their fixed words already translated.

A page says most of its words with ``{{ _("Focus area") }}``: a message with nothing to fill
in. Looked up while the page is drawn, each is a call through Jinja's context and the
catalogue, a fifth of a programme page's drawing. A template is therefore compiled once per
language, under the name ``<language>:<name>`` (``ja:programmes/show.html``), and such a
message is written into it translated, as the page would have drawn it (a ``Markup``, with
``%%`` read as ``%``). A message with values to fill in (``_("%(side)s side", side=...)``),
``ngettext`` and the filters stay calls, as do the templates loaded by a bare name, with no
language: those outside a request.

The language of a request's templates is the person's (``current_language``): a page's
template is asked for by its bare name (``render_template("programmes/show.html")``) and
everything it extends, includes or imports keeps its language (``join_path``).
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
from collections.abc import Callable, Iterator, MutableMapping
from pathlib import Path
from typing import Any

import jinja2
from flask import has_request_context
from flask.templating import Environment
from jinja2 import BaseLoader, Template
from jinja2.bccache import Bucket, FileSystemBytecodeCache
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream

from console import translations
from setu_contract.translations import LANGUAGES, WORDS

SEPARATOR = ":"
# The names a template calls gettext by.
GETTEXT_NAMES = frozenset({"_", "gettext"})


def language_of(name: str | None) -> tuple[str | None, str]:
    """(the language, the template's own name) of ``ja:programmes/show.html``; no language
    for a bare name."""
    if name:
        language, separator, plain = name.partition(SEPARATOR)
        if separator and language in LANGUAGES:
            return language, plain
    return None, name or ""


class TranslatedEnvironment(Environment):
    """Flask's environment, with each request's templates in the request's language."""

    def get_template(
        self,
        name: str | Template,
        parent: str | None = None,
        globals: MutableMapping[str, Any] | None = None,
    ) -> Template:
        if isinstance(name, str) and parent is None and has_request_context():
            language, _ = language_of(name)
            if language is None:
                name = f"{translations.current_language()}{SEPARATOR}{name}"
        return super().get_template(name, parent, globals)

    def join_path(self, template: str, parent: str) -> str:
        """What a template extends, includes or imports is drawn in its language."""
        language, _ = language_of(parent)
        plain = language_of(template)[1]
        return f"{language}{SEPARATOR}{plain}" if language else template


class LanguageLoader(BaseLoader):
    """The application's loader, for a name with or without its language."""

    def __init__(self, loader: BaseLoader):
        self.loader = loader

    def get_source(
        self, environment: Any, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        return self.loader.get_source(environment, language_of(template)[1])

    def list_templates(self) -> list[str]:
        return self.loader.list_templates()


class FixedWords(Extension):
    """``_("message")`` with nothing to fill in, in a template with a language: the
    translated message, as a constant of the compiled template."""

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        language, _ = language_of(stream.name)
        if language is None:
            yield from stream
            return
        catalogue = translations.translations(language)
        tokens = list(stream)
        index = 0
        while index < len(tokens):
            words = _fixed_words(tokens, index, catalogue.gettext)
            if words is None:
                yield tokens[index]
                index += 1
                continue
            line = tokens[index].lineno
            # ("…" | safe): the Markup that _() gives, folded when the template compiles.
            yield Token(line, "lparen", "(")
            yield Token(line, "string", words)
            yield Token(line, "pipe", "|")
            yield Token(line, "name", "safe")
            yield Token(line, "rparen", ")")
            index += 4


def _fixed_words(tokens: list[Token], index: int, gettext: Callable[[str], str]) -> str | None:
    """The translation of the call ``_("…")`` that starts at ``index``, if it is one."""
    if index + 3 >= len(tokens) or (index and tokens[index - 1].type == "dot"):
        return None
    name, opening, message, closing = tokens[index : index + 4]
    if not (
        name.type == "name"
        and name.value in GETTEXT_NAMES
        and opening.type == "lparen"
        and message.type == "string"
        and closing.type == "rparen"
    ):
        return None
    try:
        # As newstyle gettext does: always a format string, with no values.
        return gettext(message.value) % {}
    except (KeyError, TypeError, ValueError):
        return None


class CompiledOnce(FileSystemBytecodeCache):
    """Each template's compiled code, kept on disk for every console process of this user
    (Jinja's own directory for it: ``_jinja2-cache-<uid>`` in the system's temporary
    directory, the user's alone, checked by Jinja). A process's start loads its templates in
    all three languages instead of compiling them again (1.5-2.7 s of CPU), as does a second
    console in one process (each test makes one).

    Jinja checks the kept code against the template's source (its checksum); what else the
    code is made of (the catalogues whose words are written into it, this module, Jinja's
    version) is in each key, so a changed translation is compiled anew. A directory that
    cannot be used (made, read or written) leaves the code compiled in the process alone."""

    def __init__(self) -> None:
        try:
            super().__init__()
        except (OSError, RuntimeError):
            self.directory = ""
        self._made_of: str | None = None

    def made_of(self) -> str:
        """A digest of everything but the source that the compiled code depends on."""
        if self._made_of is None:
            digest = hashlib.sha256(jinja2.__version__.encode())
            digest.update(Path(__file__).read_bytes())
            for catalogues in (translations.CATALOGUES, WORDS):
                for language in LANGUAGES:
                    path = catalogues.path(language)
                    if path.exists():
                        digest.update(path.read_bytes())
            self._made_of = digest.hexdigest()
        return self._made_of

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return hashlib.sha1(
            f"{self.made_of()}|{super().get_cache_key(name, filename)}".encode()
        ).hexdigest()

    def load_bytecode(self, bucket: Bucket) -> None:
        if not self.directory:
            return
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, pickle.UnpicklingError):
            # A file cut short or spoilt outside Jinja (which writes each atomically).
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        if not self.directory:
            return
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


COMPILED = CompiledOnce()


def install(app: Any) -> None:
    """The app's templates by language: its loader wrapped, the fixed words extension on,
    the process's compiled code shared."""
    app.jinja_env.loader = LanguageLoader(app.jinja_env.loader)
    app.jinja_env.add_extension(FixedWords)
    app.jinja_env.bytecode_cache = COMPILED


def compile_all(app: Any) -> None:
    """Every template compiled now, once per process and language: otherwise each worker
    compiles each one on the first request that needs it (tens of milliseconds, in a
    person's wait)."""
    environment = app.jinja_env
    for name in environment.list_templates(extensions=["html"]):
        for language in LANGUAGES:
            environment.get_template(f"{language}{SEPARATOR}{name}")
