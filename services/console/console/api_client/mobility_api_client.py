"""Mobility clearance: an exchange's checklist and the secretariat's pipeline by stage."""

from __future__ import annotations

from typing import Any

from console.api_client.base import ApiClient, ApiError

# An exchange has its checklist from its acceptance (one withdrawn since keeps it, read only).
HAS_CHECKLIST = ("accepted", "withdrawn")


class MobilityApiClient:
    def __init__(self, api: ApiClient):
        self.api = api

    def checklist(self, application: dict[str, Any]) -> dict[str, Any] | None:
        """The exchange's checklist as the API shows it to this person, or None if it has
        none."""
        if application.get("status") not in HAS_CHECKLIST:
            return None
        try:
            return self.api.get(f"/v1/applications/{application['id']}/mobility")
        except ApiError as error:
            if error.status in (404, 409):
                return None
            raise

    def set_item(self, application_id: str, item: str, fields: dict[str, Any]) -> Any:
        path = f"/v1/applications/{application_id}/mobility/{item}"
        return self.api.patch(path, fields)

    def pipeline(self, **filters: Any) -> dict[str, Any]:
        return self.api.get("/v1/mobility/pipeline", **filters)
