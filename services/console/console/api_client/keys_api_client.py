"""An organisation's API keys: list (without secrets), issue (the secret shown once), revoke."""

from __future__ import annotations

from typing import Any

from console.api_client.base import ApiClient


class KeysApiClient:
    def __init__(self, api: ApiClient):
        self.api = api

    def page(self, organisation_id: str) -> dict[str, Any]:
        return self.api.get(f"/v1/organisations/{organisation_id}/api-keys", page_size=100)

    def issue(self, organisation_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        return self.api.post(f"/v1/organisations/{organisation_id}/api-keys", fields)

    def revoke(self, key_id: str) -> None:
        self.api.delete(f"/v1/api-keys/{key_id}")
