"""Reports: request one, watch its progress, download it; the schedules that request them."""

from __future__ import annotations

from typing import Any

import requests

from console.api_client.base import ApiClient, ApiError, api_path

SCHEDULES_PAGE = 50


class ReportsApiClient:
    def __init__(self, api: ApiClient):
        self.api = api

    def page(self, page: int = 1) -> dict[str, Any]:
        return self.api.get("/v1/reports", page=page, page_size=20)

    def get(self, report_id: str) -> dict[str, Any]:
        return self.api.get(f"/v1/reports/{report_id}")

    def request(self, fields: dict[str, Any]) -> dict[str, Any]:
        return self.api.post("/v1/reports", fields)

    def schedules(self, page: int = 1) -> dict[str, Any]:
        return self.api.get("/v1/report-schedules", page=page, page_size=SCHEDULES_PAGE)

    def create_schedule(self, fields: dict[str, Any]) -> dict[str, Any]:
        return self.api.post("/v1/report-schedules", fields)

    def delete_schedule(self, schedule_id: str, version: str | None) -> None:
        """Deleted only as it was listed: a schedule changed since answers 412."""
        etag = (
            f'"{schedule_id}.{version}"'
            if version and version.isascii() and version.isdigit()
            else None
        )
        self.api.delete(f"/v1/report-schedules/{schedule_id}", etag)

    def download(self, report_id: str) -> requests.Response:
        """The file's answer, streamed: a report may be large, and is passed on as read."""
        transport = self.api.transport
        try:
            answer = transport.http.get(
                transport.base_url + api_path(f"/v1/reports/{report_id}/download"),
                headers=self.api.headers(),
                timeout=transport.timeout,
                stream=True,
                allow_redirects=False,
            )
        except requests.RequestException:
            raise ApiError(503, "Setu's API did not answer") from None
        if answer.status_code >= 400:
            answer.close()
            raise ApiError(answer.status_code, answer.reason or "")
        return answer
