"""The gateway's question for requests bound for other services: who holds this key?"""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from programmes.api.identity import identify
from setu_contract.http import AUTHORIZE_PATH

blp = Blueprint("authorize", __name__, description="Authorisation for the gateway")


@blp.route(AUTHORIZE_PATH)
class Authorize(MethodView):
    @blp.response(204, description="The key is valid; identity in the X-Setu-* headers")
    @blp.alt_response(401, description="No valid key")
    def get(self) -> Response:
        """Authenticate the Bearer key and answer with the identity headers"""
        principal = identify()
        return Response(status=204, headers=principal.headers())
