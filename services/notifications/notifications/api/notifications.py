"""/v1/notifications: the delivery record of every email."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from notifications.api import request_session, require_principal
from notifications.publishing import publish
from notifications.schemas import (
    NotificationPageSchema,
    NotificationQuerySchema,
    NotificationSchema,
)
from notifications.services.deliveries import (
    DeliveryFilter,
    get_delivery,
    list_deliveries,
    retry_delivery,
)
from setu_contract.edge import caller
from setu_contract.http import ErrorSchema
from setu_contract.paging import page_body
from setu_contract.request_json import Blueprint

blp = Blueprint(
    "notifications", __name__, url_prefix="/v1/notifications", description="Email deliveries"
)
blp.before_request(require_principal)


def _session():
    return request_session()


@blp.route("")
class Notifications(MethodView):
    @blp.arguments(NotificationQuerySchema(), location="query", as_kwargs=True)
    @blp.response(200, NotificationPageSchema)
    def get(self, page: int, page_size: int, **filters: Any) -> dict[str, Any]:
        """List deliveries (secretariat and auditors: all; partners: their own)"""
        if filters.get("event_id"):
            filters["event_id"] = str(filters["event_id"])
        with _session() as session, session.begin():
            items, total = list_deliveries(
                session, caller(), DeliveryFilter(**filters), page, page_size
            )
        return page_body(items, total, page, page_size)


@blp.route("/<string:notification_id>")
class Notification(MethodView):
    @blp.response(200, NotificationSchema)
    @blp.alt_response(404, schema=ErrorSchema)
    def get(self, notification_id: str) -> Any:
        """One delivery, with its attempts and last error"""
        with _session() as session, session.begin():
            return get_delivery(session, caller(), notification_id)


@blp.route("/<string:notification_id>/retry")
class NotificationRetry(MethodView):
    @blp.response(202, NotificationSchema)
    @blp.alt_response(403, schema=ErrorSchema)
    @blp.alt_response(404, schema=ErrorSchema)
    @blp.alt_response(409, schema=ErrorSchema)
    def post(self, notification_id: str) -> Any:
        """Send a failed delivery again (secretariat only)"""
        with _session() as session:
            with session.begin():
                work = retry_delivery(session, caller(), notification_id)
            # Published once the delivery may run again, outside the transaction.
            publish(current_app.extensions["notifications.config"].redis_url, work)
            with session.begin():
                return get_delivery(session, caller(), notification_id)
