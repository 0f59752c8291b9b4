"""People of an organisation (the people API contract): list, invite, deactivate."""

from __future__ import annotations

from typing import Any

from console.api_client.base import ApiClient


class PeopleApiClient:
    def __init__(self, api: ApiClient):
        self.api = api

    def page(self, organisation_id: str, page: int = 1) -> dict[str, Any]:
        return self.api.get(f"/v1/organisations/{organisation_id}/people", page=page, page_size=100)

    def get(self, person_id: str) -> dict[str, Any]:
        return self.api.get(f"/v1/people/{person_id}")

    def invite(self, organisation_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        return self.api.post(f"/v1/organisations/{organisation_id}/people", fields)

    def deactivate(self, person_id: str) -> None:
        self.api.delete(f"/v1/people/{person_id}")

    def end_sessions(self, person_id: str) -> None:
        self.api.delete(f"/v1/people/{person_id}/sessions")
