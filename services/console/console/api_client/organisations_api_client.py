"""Organisations: names, countries and kinds, which everyone may read."""

from __future__ import annotations

from typing import Any

from console.api_client.base import ApiClient


class OrganisationsApiClient:
    def __init__(self, api: ApiClient):
        self.api = api

    def get(self, organisation_id: str) -> dict[str, Any]:
        return self.api.get(f"/v1/organisations/{organisation_id}")

    def all(self, **filters: Any) -> list[dict[str, Any]]:
        """Every organisation (of ``filters``), page by page (the choices of a programme's
        partners, the expert panels whose reviewers may be assigned)."""
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            answer = self.api.get("/v1/organisations", page=page, page_size=100, **filters)
            items.extend(answer["items"])
            if len(items) >= answer["total"] or not answer["items"]:
                return items
            page += 1
