"""Reports: request one, watch its progress, download it."""

from __future__ import annotations

from typing import Any

import requests

from console.api_client.base import ApiClient, ApiError


class ReportsApiClient:
    def __init__(self, api: ApiClient):
        self.api = api

    def page(self, page: int = 1) -> dict[str, Any]:
        return self.api.get("/v1/reports", page=page, page_size=20)

    def get(self, report_id: str) -> dict[str, Any]:
        return self.api.get(f"/v1/reports/{report_id}")

    def request(self, fields: dict[str, Any]) -> dict[str, Any]:
        return self.api.post("/v1/reports", fields)

    def download(self, report_id: str) -> requests.Response:
        """The file's answer, streamed: a report may be large, and is passed on as read."""
        transport = self.api.transport
        try:
            answer = transport.http.get(
                f"{transport.base_url}/v1/reports/{report_id}/download",
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
