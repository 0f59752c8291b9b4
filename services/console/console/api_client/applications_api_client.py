"""Talent-exchange applications: /v1/applications and what hangs under one."""

from __future__ import annotations

from typing import Any

from console.api_client.base import ApiClient


class ApplicationsApiClient:
    def __init__(self, api: ApiClient):
        self.api = api

    def page(self, **filters: Any) -> dict[str, Any]:
        return self.api.get("/v1/applications", **filters)

    def get(self, application_id: str) -> dict[str, Any]:
        return self.api.get(f"/v1/applications/{application_id}")

    def create(self, fields: dict[str, Any]) -> dict[str, Any]:
        return self.api.post("/v1/applications", fields)

    def get_with_etag(self, application_id: str) -> tuple[dict[str, Any], str | None]:
        return self.api.get_with_etag(f"/v1/applications/{application_id}")

    def update(self, application_id: str, changes: dict[str, Any], etag: str | None) -> Any:
        return self.api.patch(f"/v1/applications/{application_id}", changes, etag)

    def history(self, application_id: str) -> list[dict[str, Any]]:
        answer = self.api.get(f"/v1/applications/{application_id}/history")
        return answer["items"] if isinstance(answer, dict) else answer

    def transition(self, application_id: str, action: str, comment: str | None) -> Any:
        body = {"action": action, "comment": comment or None}
        return self.api.post(f"/v1/applications/{application_id}/transitions", body)

    def erase_personal_data(self, application_id: str) -> None:
        self.api.delete(f"/v1/applications/{application_id}/personal-data")
