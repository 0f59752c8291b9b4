"""/v1/unsubscribe/<token>: one-click unsubscribe, no API key (the signed token is the key).

POST is the RFC 8058 one-click request a mail client sends; GET shows a page with a button,
so that a link scanner following the URL does not unsubscribe anyone.
"""

from __future__ import annotations

from flask import Response, current_app, render_template_string
from flask.views import MethodView

from notifications.mail.unsubscribe import InvalidToken, read_token
from notifications.schemas import UnsubscribeSchema
from notifications.services.unsubscribing import unsubscribe
from setu_contract.edge import abort, accepts_any_body
from setu_contract.http import ErrorSchema
from setu_contract.request_json import Blueprint

blp = Blueprint(
    "unsubscribe", __name__, url_prefix="/v1/unsubscribe", description="One-click unsubscribe"
)

_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Unsubscribe from Setu reports</title></head><body>
<p>Stop sending Setu report emails to <strong>{{ email }}</strong>?</p>
<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button></form></body></html>"""


def _read(token: str) -> tuple[str, str]:
    try:
        return read_token(current_app.extensions["notifications.config"].secret_key, token)
    except InvalidToken as exc:
        abort(404, str(exc))
        raise  # unreachable: abort raises


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
        html = render_template_string(_PAGE, email=email)
        return Response(html, mimetype="text/html")

    @accepts_any_body  # the form a mail client sends, which says nothing the token does not
    @blp.doc(security=[])
    @blp.response(200, UnsubscribeSchema)
    @blp.alt_response(404, schema=ErrorSchema)
    def post(self, token: str) -> dict[str, object]:
        """Unsubscribe (RFC 8058 one-click POST)"""
        email, list_name = _read(token)
        with current_app.extensions["notifications.sessions"]() as session, session.begin():
            unsubscribe(session, email, list_name)
        return {"email": email, "list": list_name, "unsubscribed": True}
