"""Export-control screenings: /v1/programmes/{id}/screenings (secretariat and auditors)."""

from __future__ import annotations

from typing import Any

from console.api_client.base import ApiClient


class ScreeningsApiClient:
    def __init__(self, api: ApiClient):
        self.api = api

    def of_programme(self, programme_id: str) -> list[dict[str, Any]]:
        return self.api.get(f"/v1/programmes/{programme_id}/screenings")["items"]

    def record(self, programme_id: str, body: dict[str, Any]) -> Any:
        return self.api.post(f"/v1/programmes/{programme_id}/screenings", body)

    def work(self) -> dict[str, Any]:
        return self.api.get("/v1/screenings/work")

    def of_application(self, application_id: str) -> list[dict[str, Any]]:
        return self.api.get(f"/v1/applications/{application_id}/screenings")["items"]

    def record_person(self, application_id: str, body: dict[str, Any]) -> Any:
        return self.api.post(f"/v1/applications/{application_id}/screenings", body)
