"""Mobility clearance: an exchange's checklist and the secretariat's pipeline by stage."""

from __future__ import annotations

from typing import Any

from console.api_client.base import ApiClient


class MobilityApiClient:
    def __init__(self, api: ApiClient):
        self.api = api

    def checklist(self, application_id: str) -> dict[str, Any]:
        return self.api.get(f"/v1/applications/{application_id}/mobility")

    def set_item(self, application_id: str, item: str, fields: dict[str, Any]) -> Any:
        path = f"/v1/applications/{application_id}/mobility/{item}"
        return self.api.patch(path, fields)

    def pipeline(self, **filters: Any) -> dict[str, Any]:
        return self.api.get("/v1/mobility/pipeline", **filters)
