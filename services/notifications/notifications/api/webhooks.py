"""/v1/webhooks: a partner's endpoints for signed event messages, and their delivery log."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from notifications.api import request_session, require_principal
from notifications.schemas import (
    WebhookCreatedSchema,
    WebhookCreateSchema,
    WebhookDeliveryPageSchema,
    WebhookPageSchema,
    WebhookSchema,
)
from notifications.services.webhooks import (
    NewEndpoint,
    create_endpoint,
    delete_endpoint,
    get_endpoint,
    list_endpoint_deliveries,
    list_endpoints,
)
from setu_contract.edge import caller
from setu_contract.http import ErrorSchema
from setu_contract.paging import PageQuerySchema, page_body
from setu_contract.request_json import Blueprint

blp = Blueprint("webhooks", __name__, url_prefix="/v1/webhooks", description="Webhooks")
blp.before_request(require_principal)


def _session():
    return request_session()


@blp.route("")
class Webhooks(MethodView):
    @blp.arguments(PageQuerySchema(), location="query", as_kwargs=True)
    @blp.response(200, WebhookPageSchema)
    def get(self, page: int, page_size: int) -> dict[str, Any]:
        """List webhook endpoints (partners: their own)"""
        with _session() as session, session.begin():
            items, total = list_endpoints(session, caller(), page, page_size)
        return page_body(items, total, page, page_size)

    @blp.arguments(WebhookCreateSchema())
    @blp.response(201, WebhookCreatedSchema)
    @blp.alt_response(403, schema=ErrorSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Register an endpoint; the signing secret is shown in this answer only"""
        allow_private = current_app.extensions["notifications.config"].webhook_allow_private
        with _session() as session, session.begin():
            return create_endpoint(session, caller(), NewEndpoint(**body), allow_private)


@blp.route("/<string:webhook_id>")
class Webhook(MethodView):
    @blp.response(200, WebhookSchema)
    @blp.alt_response(404, schema=ErrorSchema)
    def get(self, webhook_id: str) -> Any:
        """One endpoint (without its secret)"""
        with _session() as session, session.begin():
            return get_endpoint(session, caller(), webhook_id)

    @blp.response(204)
    @blp.alt_response(403, schema=ErrorSchema)
    @blp.alt_response(404, schema=ErrorSchema)
    def delete(self, webhook_id: str) -> None:
        """Remove an endpoint"""
        with _session() as session:
            with session.begin():
                endpoint = get_endpoint(session, caller(), webhook_id)
            with session.begin():
                delete_endpoint(session, caller(), endpoint)


@blp.route("/<string:webhook_id>/deliveries")
class WebhookDeliveries(MethodView):
    @blp.arguments(PageQuerySchema(), location="query", as_kwargs=True)
    @blp.response(200, WebhookDeliveryPageSchema)
    @blp.alt_response(404, schema=ErrorSchema)
    def get(self, webhook_id: str, page: int, page_size: int) -> dict[str, Any]:
        """The endpoint's delivery log, newest first"""
        with _session() as session:
            with session.begin():
                endpoint = get_endpoint(session, caller(), webhook_id)
            with session.begin():
                items, total = list_endpoint_deliveries(session, endpoint, page, page_size)
        return page_body(items, total, page, page_size)
