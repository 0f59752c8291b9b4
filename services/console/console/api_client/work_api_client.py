"""What waits for the person: /v1/me/work."""

from __future__ import annotations

from typing import Any

from console.api_client.base import ApiClient

WORK = "/v1/me/work"


class WorkApiClient:
    def __init__(self, api: ApiClient):
        self.api = api

    def mine(self, page_size: int) -> dict[str, Any]:
        """Each queue of the person's role: its exact total and its oldest items."""
        return self.api.get(WORK, page_size=page_size)
