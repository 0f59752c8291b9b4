"""The console with a programme page's drawing replaced by a constant page, for
``python -m bench.console_cpu --served SECONDS --undrawn``: what is left is what a page
costs before any drawing (gunicorn, Flask, the session cookie, the one API call), the floor
no work on the templates can go below. A measurement only; nothing else imports it.

    gunicorn --config python:setu.gunicorn_conf "bench.console_undrawn:create_app()"
"""

from __future__ import annotations

from typing import Any

import console.views.programmes.pages as pages
from console.app import create_app as console_app

PAGE = '<!doctype html><html lang="en"><title>Programme</title><p>Programme</p></html>'


def _constant(*_args: Any, **_kwargs: Any) -> str:
    return PAGE


def create_app() -> Any:
    pages.render_template = _constant  # type: ignore[assignment]
    return console_app()
