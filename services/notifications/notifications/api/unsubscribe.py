"""/v1/unsubscribe/<token>: one-click unsubscribe, no API key (the signed token is the key).

POST is the RFC 8058 one-click request a mail client sends; GET shows a page with a button,
so that a link scanner following the URL does not unsubscribe anyone. A person follows the
link in a browser: the page, the answer to its button and a link that does not work are
pages in the language of the email the link came in (else the browser's), not JSON; a
program that asks for JSON gets JSON.
"""

from __future__ import annotations

from flask import Response, current_app, request
from flask.views import MethodView
from markupsafe import Markup, escape
from werkzeug.exceptions import abort as http_abort

from notifications.mail.templates import CATALOGUES
from notifications.mail.unsubscribe import InvalidToken, read_token, token_language
from notifications.schemas import UnsubscribeSchema
from notifications.services.unsubscribing import unsubscribe
from setu_contract.edge import abort, accepts_any_body
from setu_contract.http import ErrorSchema
from setu_contract.request_json import Blueprint
from setu_contract.translations import LANGUAGES, N_, supported

blp = Blueprint(
    "unsubscribe", __name__, url_prefix="/v1/unsubscribe", description="One-click unsubscribe"
)

NOT_VALID = N_("This link does not work")
NOT_VALID_HELP = N_(
    "Copy the whole link from the email into your browser. If it still does not work, ask "
    "the secretariat to stop sending you report emails."
)


def _secret() -> str:
    return str(current_app.extensions["notifications.config"].secret_key)


def _read(token: str) -> tuple[str, str]:
    try:
        return read_token(_secret(), token)
    except InvalidToken as exc:
        if _wants_a_page():
            _abort_with_page(token)
        abort(404, str(exc))
        raise  # unreachable: abort raises


def _wants_a_page() -> bool:
    """A browser's request (it prefers HTML), not a program's (JSON, or anything)."""
    accepted = request.accept_mimetypes
    return accepted.best_match(["application/json", "text/html"]) == "text/html"


def _language(token: str) -> str:
    chosen = token_language(_secret(), token)
    if chosen in LANGUAGES:
        return supported(chosen)
    return supported(request.accept_languages.best_match(LANGUAGES))


def _page(language: str, title: str, body: Markup, status: int = 200) -> Response:
    html = Markup(
        '<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>{title} &ndash; Setu</title></head><body><main><h1>{title}</h1>{body}</main>"
        "</body></html>"
    ).format(language=language, title=title, body=body)
    return Response(html, status=status, mimetype="text/html")


def _abort_with_page(token: str) -> None:
    words = CATALOGUES.translations(_language(token))
    body = Markup("<p>{}</p>").format(words.gettext(NOT_VALID_HELP))
    http_abort(_page(_language(token), words.gettext(NOT_VALID), body, 404))


@blp.route("/<string:token>")
class Unsubscribe(MethodView):
    @blp.doc(
        security=[],
        responses={
            "200": {
                "description": "A page asking to confirm, with a one-click button",
                "content": {"text/html": {"schema": {"type": "string"}}},
            }
        },
    )
    @blp.alt_response(404, schema=ErrorSchema)
    def get(self, token: str) -> Response:
        """A confirmation page with a one-click button"""
        email, _ = _read(token)
        language = _language(token)
        words = CATALOGUES.translations(language)
        body = Markup(
            '<p>{question}</p><form method="post">'
            '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
            '<button type="submit">{button}</button></form>'
        ).format(
            question=Markup(escape(words.gettext("Stop sending Setu report emails to %(email)s?")))
            % {"email": Markup("<strong>{}</strong>").format(email)},
            button=words.gettext("Unsubscribe"),
        )
        return _page(language, words.gettext("Unsubscribe from Setu report emails"), body)

    @accepts_any_body  # the form a mail client sends, which says nothing the token does not
    @blp.doc(security=[])
    @blp.response(200, UnsubscribeSchema)
    @blp.alt_response(404, schema=ErrorSchema)
    def post(self, token: str) -> dict[str, object] | Response:
        """Unsubscribe (RFC 8058 one-click POST)"""
        email, list_name = _read(token)
        with current_app.extensions["notifications.sessions"]() as session, session.begin():
            unsubscribe(session, email, list_name)
        if _wants_a_page():
            language = _language(token)
            words = CATALOGUES.translations(language)
            done = Markup(
                escape(words.gettext("Setu will no longer send report emails to %(email)s."))
            )
            body = Markup("<p>{}</p>").format(
                done % {"email": Markup("<strong>{}</strong>").format(email)}
            )
            return _page(language, words.gettext("You are unsubscribed"), body)
        return {"email": email, "list": list_name, "unsubscribed": True}
