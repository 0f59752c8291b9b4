"""Jinja2 templates: one file per message, its words in the service's gettext catalogues.

Each ``templates/<message>.j2`` defines the blocks ``subject``, ``text`` and ``html_body``,
its sentences written in English inside ``{% trans %}`` or ``_()``; ``locale/<language>/
LC_MESSAGES/messages.po`` holds their Japanese and Hindi (``setu_contract.translations``).
The HTML body is rendered with autoescaping and wrapped in ``_layout.html.j2``; subject and
plain text are rendered without HTML escaping (they are not HTML: an escaped ``&amp;`` in a
plain-text email would be a bug) and never reach a browser. A sentence is written once for
both: its ``strong`` and ``code`` filters mark up a value in HTML and leave it as it is in text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template
from markupsafe import Markup

from setu_contract.translations import N_, Catalogues, local_date_and_time, supported

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
CATALOGUES = Catalogues(Path(__file__).resolve().parent.parent / "locale")

# The zones Setu's readers live in, named as a reader says them; any other by its IANA name.
ZONE_NAMES = {"Asia/Tokyo": N_("Japan time"), "Asia/Kolkata": N_("India time"), "UTC": N_("UTC")}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def local_time(moment: datetime, zone: str, language: str) -> str:
    """A time as a reader in ``zone`` writes it, naming the zone."""
    words = CATALOGUES.translations(language)
    day, clock = local_date_and_time(moment, zone, language)
    name = words.gettext(ZONE_NAMES[zone]) if zone in ZONE_NAMES else zone
    return words.gettext("%(date)s, %(time)s (%(zone)s)") % {
        "date": day,
        "time": clock,
        "zone": name,
    }


def _text_as_is(value: Any) -> Any:
    return value


def _html_strong(value: Any) -> Markup:
    return Markup("<strong>{}</strong>").format(value)


def _html_code(value: Any) -> Markup:
    return Markup("<code>{}</code>").format(value)


def _gettext_callables(language: str, html: bool) -> dict[str, Callable[..., str]]:
    """``gettext`` and ``pgettext`` as Jinja's i18n extension calls them in its new style
    (values as keywords, put in with ``%``; in HTML the message is markup and the values are
    escaped), without the extension's wrappers: they reach the template's context twice per
    sentence, a third of the CPU time of rendering an email."""
    words = CATALOGUES.translations(language)
    mark: Callable[[str], str] = Markup if html else str

    def gettext(message: str, **values: Any) -> str:
        return mark(words.gettext(message)) % values

    def pgettext(context: str, message: str, **values: Any) -> str:
        return mark(words.pgettext(context, message)) % values

    return {"gettext": gettext, "_": gettext, "pgettext": pgettext}


def _environment(language: str, html: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        # Files of the package: not checked for changes (a stat per template per email).
        auto_reload=False,
        extensions=["jinja2.ext.i18n"],
    )
    # A sentence may be written over several lines of its template: one line in the catalogue.
    env.policies["ext.i18n.trimmed"] = True
    # {% trans %} passes its values to gettext as keywords (read when a template compiles).
    env.newstyle_gettext = True  # type: ignore[attr-defined]
    env.globals.update(_gettext_callables(language, html))
    env.filters["strong"] = _html_strong if html else _text_as_is
    env.filters["code"] = _html_code if html else _text_as_is
    return env


@cache
def _environments(language: str) -> tuple[Environment, Environment]:
    """The plain and the HTML environment of a language, made once per process."""
    return _environment(language, html=False), _environment(language, html=True)


def _blocks(template: Template, names: tuple[str, ...], variables: dict[str, Any]) -> list[str]:
    """Render some blocks of a template after its top level ran (its ``set``s are shared)."""
    context = template.new_context(variables)
    for _ in template.root_render_func(context):
        pass
    return ["".join(template.blocks[name](context)) for name in names]


def render(message: str, language: str, variables: dict[str, Any]) -> Rendered:
    """Subject, plain text and HTML of ``message`` in ``language`` (English if not Setu's)."""
    language = supported(language)
    text_env, html_env = _environments(language)
    name = f"{message}.j2"
    subject, text = _blocks(text_env.get_template(name), ("subject", "text"), variables)
    [body] = _blocks(html_env.get_template(name), ("html_body",), variables)
    subject = " ".join(subject.split())
    text = text.strip() + "\n"
    layout = html_env.get_template("_layout.html.j2")
    defaults = {"unsubscribe_url": None}
    html = layout.render(
        {**defaults, **variables}, subject=subject, body=Markup(body), language=language
    )
    return Rendered(subject, text, html)
