"""The gateway's question for requests bound for other services: who holds this key?

The answer is signed for the request the gateway is about to forward, named in
``X-Original-Method`` and ``X-Original-URI`` (setu_contract.http.sign_identity); asked
without them, it names the identity unsigned, which no service accepts.
"""

from __future__ import annotations

from flask import Response, current_app, request
from flask.views import MethodView

from programmes.api.identity import identify
from setu_contract.http import (
    AUTHORIZE_PATH,
    ORIGINAL_METHOD_HEADER,
    ORIGINAL_URI_HEADER,
    sign_identity,
)
from setu_contract.request_json import Blueprint

blp = Blueprint("authorize", __name__, description="Authorisation for the gateway")


@blp.route(AUTHORIZE_PATH)
class Authorize(MethodView):
    @blp.response(204, description="The key is valid; identity in the X-Setu-* headers")
    @blp.alt_response(401, description="No valid key")
    def get(self) -> Response:
        """Authenticate the Bearer key and answer with the identity headers"""
        principal = identify()
        method = request.headers.get(ORIGINAL_METHOD_HEADER)
        target = request.headers.get(ORIGINAL_URI_HEADER)
        if not method or not target:
            return Response(status=204, headers=principal.headers())
        secret = current_app.extensions["programmes.config"].internal_secret
        return Response(status=204, headers=sign_identity(principal, secret, method, target))
