"""Jinja2 templates: one file per message and language, with subject, text and HTML blocks.

Each ``templates/<message>.<language>.j2`` defines the blocks ``subject``, ``text`` and
``html_body``. The HTML body is rendered with autoescaping and wrapped in ``_layout.html.j2``;
subject and plain text are rendered without HTML escaping (they are not HTML: an escaped
``&amp;`` in a plain-text email would be a bug) and never reach a browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, TemplateNotFound
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
    )
    env.filters["local_time"] = local_time
    return env


@cache
def _environments() -> tuple[Environment, Environment]:
    return _environment(False), _environment(True)


def _block(template: Template, name: str, variables: dict[str, Any]) -> str:
    return "".join(template.blocks[name](template.new_context(variables)))


def _load(env: Environment, message: str, language: str) -> Template:
    try:
        return env.get_template(f"{message}.{language}.j2")
    except TemplateNotFound:
        return env.get_template(f"{message}.en.j2")


def render(message: str, language: str, variables: dict[str, Any]) -> Rendered:
    """Subject, plain text and HTML of ``message`` in ``language`` (English if missing)."""
    text_env, html_env = _environments()
    plain = _load(text_env, message, language)
    subject = " ".join(_block(plain, "subject", variables).split())
    text = _block(plain, "text", variables).strip() + "\n"
    markup = _load(html_env, message, language)
    body = Markup(_block(markup, "html_body", variables))
    layout = html_env.get_template("_layout.html.j2")
    defaults = {"unsubscribe_url": None, "unsubscribe_label": ""}
    html = layout.render({**defaults, **variables}, subject=subject, body=body, language=language)
    return Rendered(subject, text, html)
