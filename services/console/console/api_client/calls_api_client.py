"""Calls for proposals: /v1/calls, their transitions and their ranking."""

from __future__ import annotations

from typing import Any

from console.api_client.base import ApiClient


class CallsApiClient:
    def __init__(self, api: ApiClient):
        self.api = api

    def page(self, **filters: Any) -> dict[str, Any]:
        return self.api.get("/v1/calls", **filters)

    def get(self, call_id: str) -> dict[str, Any]:
        return self.api.get(f"/v1/calls/{call_id}")

    def get_with_etag(self, call_id: str) -> tuple[dict[str, Any], str | None]:
        return self.api.get_with_etag(f"/v1/calls/{call_id}")

    def create(self, fields: dict[str, Any]) -> dict[str, Any]:
        return self.api.post("/v1/calls", fields)

    def update(self, call_id: str, changes: dict[str, Any], etag: str | None) -> Any:
        return self.api.patch(f"/v1/calls/{call_id}", changes, etag)

    def transition(self, call_id: str, action: str) -> Any:
        return self.api.post(f"/v1/calls/{call_id}/transitions", {"action": action})

    def ranking(self, call_id: str) -> dict[str, Any]:
        return self.api.get(f"/v1/calls/{call_id}/ranking")
