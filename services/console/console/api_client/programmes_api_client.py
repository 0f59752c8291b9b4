"""Programmes: /v1/programmes and what hangs under one."""

from __future__ import annotations

from typing import Any

from console.api_client.base import ApiClient


class ProgrammesApiClient:
    def __init__(self, api: ApiClient):
        self.api = api

    def page(self, **filters: Any) -> dict[str, Any]:
        return self.api.get("/v1/programmes", **filters)

    def get(self, programme_id: str) -> dict[str, Any]:
        return self.api.get(f"/v1/programmes/{programme_id}")

    def get_with_etag(self, programme_id: str) -> tuple[dict[str, Any], str | None]:
        return self.api.get_with_etag(f"/v1/programmes/{programme_id}")

    def create(self, fields: dict[str, Any]) -> dict[str, Any]:
        return self.api.post("/v1/programmes", fields)

    def update(self, programme_id: str, changes: dict[str, Any], etag: str | None) -> Any:
        return self.api.patch(f"/v1/programmes/{programme_id}", changes, etag)

    def history(self, programme_id: str) -> list[dict[str, Any]]:
        answer = self.api.get(f"/v1/programmes/{programme_id}/history")
        return answer["items"] if isinstance(answer, dict) else answer

    def transition(self, programme_id: str, action: str, comment: str | None) -> Any:
        body = {"action": action, "comment": comment or None}
        return self.api.post(f"/v1/programmes/{programme_id}/transitions", body)

    def answer_participation(self, programme_id: str, decision: str) -> Any:
        return self.api.post(f"/v1/programmes/{programme_id}/participation", {"decision": decision})
