"""Webhook endpoints (the notifications service): list, register (the signing secret shown
once), remove, and an endpoint's delivery log."""

from __future__ import annotations

from typing import Any

from console.api_client.base import ApiClient

DELIVERIES_PAGE = 20


class WebhooksApiClient:
    def __init__(self, api: ApiClient):
        self.api = api

    def page(self) -> dict[str, Any]:
        return self.api.get("/v1/webhooks", page_size=100)

    def register(self, fields: dict[str, Any]) -> dict[str, Any]:
        return self.api.post("/v1/webhooks", fields)

    def remove(self, webhook_id: str) -> None:
        self.api.delete(f"/v1/webhooks/{webhook_id}")

    def get(self, webhook_id: str) -> dict[str, Any]:
        return self.api.get(f"/v1/webhooks/{webhook_id}")

    def deliveries(self, webhook_id: str, page: int) -> dict[str, Any]:
        return self.api.get(
            f"/v1/webhooks/{webhook_id}/deliveries", page=page, page_size=DELIVERIES_PAGE
        )
