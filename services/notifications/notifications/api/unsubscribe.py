"""/v1/unsubscribe/<token>: one-click unsubscribe, no API key (the signed token is the key).

POST is the RFC 8058 one-click request a mail client sends; GET shows a page with a button,
so that a link scanner following the URL does not unsubscribe anyone. A person follows the
link in a browser: the page, the answer to its button and a link that does not work are
pages in the language of the email the link came in (else the browser's), not JSON; a
program that asks for JSON gets JSON.
"""

from __future__ import annotations

from flask import Response, current_app
from flask.views import MethodView
from markupsafe import Markup, escape
from werkzeug.exceptions import abort as http_abort

from notifications.mail.templates import CATALOGUES
from notifications.mail.unsubscribe import InvalidToken, read_token, token_language
from notifications.schemas import UnsubscribeSchema
from notifications.services.unsubscribing import unsubscribe
from setu_contract.edge import abort, accepts_any_body
from setu_contract.http import ErrorSchema
from setu_contract.link_pages import link_not_working, link_page, page_language, prefers_a_page
from setu_contract.request_json import Blueprint
from setu_contract.translations import N_

blp = Blueprint(
    "unsubscribe", __name__, url_prefix="/v1/unsubscribe", description="One-click unsubscribe"
)

NOT_WORKING_ADVICE = N_(
    "Copy the whole link from the email into your browser. If it still does not work, ask "
    "the secretariat to stop sending you report emails."
)


def _secret() -> str:
    return str(current_app.extensions["notifications.config"].secret_key)


def _read(token: str) -> tuple[str, str]:
    try:
        return read_token(_secret(), token)
    except InvalidToken as exc:
        if prefers_a_page():
            language = _language(token)
            advice = CATALOGUES.translations(language).gettext(NOT_WORKING_ADVICE)
            http_abort(link_not_working(language, advice))
        abort(404, str(exc))
        raise  # unreachable: abort raises


def _language(token: str) -> str:
    return page_language(token_language(_secret(), token))


def _strong(email: str) -> Markup:
    return Markup("<strong>{}</strong>").format(email)


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
            question=escape(words.gettext("Stop sending Setu report emails to %(email)s?"))
            % {"email": _strong(email)},
            button=words.gettext("Unsubscribe"),
        )
        return link_page(language, words.gettext("Unsubscribe from Setu report emails"), body)

    @accepts_any_body  # the form a mail client sends, which says nothing the token does not
    @blp.doc(security=[])
    @blp.response(200, UnsubscribeSchema)
    @blp.alt_response(404, schema=ErrorSchema)
    def post(self, token: str) -> dict[str, object] | Response:
        """Unsubscribe (RFC 8058 one-click POST)"""
        email, list_name = _read(token)
        with current_app.extensions["notifications.sessions"]() as session, session.begin():
            unsubscribe(session, email, list_name)
        if prefers_a_page():
            language = _language(token)
            words = CATALOGUES.translations(language)
            done = escape(words.gettext("Setu will no longer send report emails to %(email)s."))
            body = Markup("<p>{}</p>").format(done % {"email": _strong(email)})
            return link_page(language, words.gettext("You are unsubscribed"), body)
        return {"email": email, "list": list_name, "unsubscribed": True}
