"""Jinja2 templates: one file per message and language, with subject, text and HTML blocks.

Each ``templates/<message>.<language>.j2`` defines the blocks ``subject``, ``text`` and
``html_body``. The HTML body is rendered with autoescaping and wrapped in ``_layout.html.j2``;
subject and plain text are rendered without HTML escaping (they are not HTML: an escaped
``&amp;`` in a plain-text email would be a bug) and never reach a browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template
from markupsafe import Markup

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"

_ZONE_NAMES = {
    "en": {"Asia/Tokyo": "Japan time", "Asia/Kolkata": "India time", "UTC": "UTC"},
    "ja": {"Asia/Tokyo": "日本時間", "Asia/Kolkata": "インド時間", "UTC": "協定世界時"},
    "hi": {"Asia/Tokyo": "जापान समय", "Asia/Kolkata": "भारतीय समय", "UTC": "UTC"},
}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def local_time(moment: datetime, zone: str, language: str) -> str:
    """A time as a reader in ``zone`` writes it, naming the zone."""
    local = moment.astimezone(ZoneInfo(zone))
    label = _ZONE_NAMES.get(language, _ZONE_NAMES["en"]).get(zone, zone)
    if language == "ja":
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}（{label}）"  # noqa: RUF001
    return f"{local.day} {local:%B %Y, %H:%M} ({label})"


def _environment(autoescape: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        # Files of the package: not checked for changes (a stat per template per email).
        auto_reload=False,
    )
    env.filters["local_time"] = local_time
    return env


@cache
def _environments() -> tuple[Environment, Environment]:
    return _environment(False), _environment(True)


def _blocks(template: Template, names: tuple[str, ...], variables: dict[str, Any]) -> list[str]:
    """Render some blocks of a template after its top level ran (its ``set``s are shared)."""
    context = template.new_context(variables)
    for _ in template.root_render_func(context):
        pass
    return ["".join(template.blocks[name](context)) for name in names]


# The templates are files of the package: they do not come and go while it runs.
@lru_cache(maxsize=512)
def language_for(message: str, language: str) -> str:
    """``language`` if the message is written in it, else English."""
    return language if (TEMPLATE_DIR / f"{message}.{language}.j2").is_file() else "en"


def _load(env: Environment, message: str, language: str) -> Template:
    return env.get_template(f"{message}.{language_for(message, language)}.j2")


def render(message: str, language: str, variables: dict[str, Any]) -> Rendered:
    """Subject, plain text and HTML of ``message`` in ``language`` (English if missing)."""
    text_env, html_env = _environments()
    subject, text = _blocks(_load(text_env, message, language), ("subject", "text"), variables)
    [body] = _blocks(_load(html_env, message, language), ("html_body",), variables)
    subject = " ".join(subject.split())
    text = text.strip() + "\n"
    body = Markup(body)
    layout = html_env.get_template("_layout.html.j2")
    defaults = {"unsubscribe_url": None, "unsubscribe_label": ""}
    html = layout.render({**defaults, **variables}, subject=subject, body=body, language=language)
    return Rendered(subject, text, html)
