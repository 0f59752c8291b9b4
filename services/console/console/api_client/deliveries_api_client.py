"""Email deliveries (the notifications service): list, and a failed one sent again."""

from __future__ import annotations

from typing import Any

from console.api_client.base import ApiClient


class DeliveriesApiClient:
    def __init__(self, api: ApiClient):
        self.api = api

    def page(self, status: str | None, page: int) -> dict[str, Any]:
        return self.api.get("/v1/notifications", status=status, page=page, page_size=20)

    def retry(self, delivery_id: str) -> Any:
        return self.api.post(f"/v1/notifications/{delivery_id}/retry")
