"""create_app: the console, Setu's web front end for people (nothing is created at import time).

It is a client of the public API and nothing more: it keeps no programme data, and every
page is a call to the API with the signed-in person's session and a template.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from console import api_messages, formatting, templating, translations, vocabulary
from console.api_client.base import Transport
from console.config import Config
from console.security import protect
from console.views import (
    applications,
    calls,
    deliveries,
    errors,
    health,
    keys,
    language,
    mobility,
    my_work,
    people,
    programmes,
    reports,
    reviews,
    sign_in,
    webhooks,
)
from setu_contract.metrics import url_rules
from setu_contract.observability import HttpInstrumentation
from setu_contract.secret_settings import INTERNAL_SECRET, SECRET_KEY, checked_secret


class ConsoleFlask(Flask):
    """Flask, with templates compiled in each language (console.templating)."""

    jinja_environment = templating.TranslatedEnvironment


def create_app(config: Config | None = None, http_session_factory: Any = None) -> Flask:
    """The console for ``config``; ``http_session_factory`` makes the ``requests.Session``
    each thread calls the API with (tests hand one that reaches a fake API)."""
    config = config or Config.from_env()
    secret_key = checked_secret(SECRET_KEY, config.secret_key)
    app = ConsoleFlask(__name__, static_url_path="/console/static")
    # A key of the console's own, derived from the deployment's secret, signs its cookie.
    app.secret_key = "console-session:" + secret_key
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    protect(app, config.secure_cookies)
    CSRFProtect(app)
    app.extensions["console.config"] = config
    # Like secret_key, refused when missing or weak: unsigned, every person's failed sign-in
    # would count against the console's one address, and lock everyone out.
    internal_secret = checked_secret(INTERNAL_SECRET, config.internal_secret)
    app.extensions["console.transport"] = Transport(
        config.api_url, config.api_timeout, http_session_factory, internal_secret
    )
    _templates(app)
    for blueprint in (
        health.blp,
        sign_in.blp,
        my_work.blp,
        programmes.blp,
        calls.blp,
        reviews.blp,
        applications.blp,
        mobility.blp,
        people.blp,
        keys.blp,
        reports.blp,
        deliveries.blp,
        webhooks.blp,
        language.blp,
    ):
        app.register_blueprint(blueprint)
    errors.register(app)
    templating.compile_all(app)
    app.wsgi_app = HttpInstrumentation(  # type: ignore[method-assign,assignment]
        app.wsgi_app, "console", route_of=url_rules(app)
    )
    return app


def _templates(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.add_extension("jinja2.ext.i18n")
    templating.install(app)
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        translations.gettext, translations.ngettext, newstyle=True
    )
    app.jinja_env.filters.update(
        money=formatting.money,
        number=formatting.number,
        score=formatting.score,
        day=formatting.day,
        moment=formatting.moment,
        zone_name=formatting.zone_name,
        word=formatting.word,
        tag=formatting.tag,
        api_message=api_messages.translated,
    )
    app.jinja_env.globals.update(
        current_language=translations.current_language,
        LANGUAGE_NAMES=translations.LANGUAGE_NAMES,
        COMMENT_REQUIRED=vocabulary.COMMENT_REQUIRED,
        WARNING_ACTIONS=vocabulary.WARNING_ACTIONS,
        CALL_ACTIONS=vocabulary.CALL_ACTIONS,
    )
