"""HTML: a titled, dated page in the report's language: the summary, the charts (embedded
PNG) and every table."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from reports.domain.tables import ReportData
from reports.render import page
from reports.render.fonts import CSS_FAMILIES
from reports.translations import translations


def css_string(value: str) -> Markup:
    """``value`` inside a CSS string written in double quotes (in a <style> element, where
    HTML's escapes are not read: quotes and angle brackets are escaped as CSS escapes them)."""
    escaped = json.dumps(value, ensure_ascii=False)[1:-1]
    return Markup(escaped.replace("<", "\\3c ").replace(">", "\\3e "))


@cache
def environment(language: str) -> Environment:
    """One environment per language, its ``_()`` that language's catalogue."""
    env = Environment(
        loader=PackageLoader("reports.render", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.filters["css_string"] = css_string
    return env


def page_counter(language: str) -> Markup:
    """The CSS ``content`` of the page numbers: "Page 2 of 5" as the language says it."""
    words = translations(language).gettext("Page %(page)s of %(pages)s")
    parts = re.split(r"(%\(page\)s|%\(pages\)s)", words)
    counters = {"%(page)s": "counter(page)", "%(pages)s": "counter(pages)"}
    return Markup(" ".join(counters.get(part) or f'"{css_string(part)}"' for part in parts if part))


def page_html(report: ReportData, on_chart: Callable[[int, int], None] | None = None) -> str:
    template = environment(report.language).get_template("report.html.j2")
    return template.render(
        **page.context(report, on_chart),
        font_families=Markup(CSS_FAMILIES),
        page_counter=page_counter(report.language),
    )


def render(report: ReportData, on_chart: Callable[[int, int], None] | None = None) -> bytes:
    return page_html(report, on_chart).encode("utf-8")
