"""Expert review: assignments, declarations of conflicts of interest, reviews."""

from __future__ import annotations

from typing import Any

from console.api_client.base import ApiClient


class ReviewsApiClient:
    def __init__(self, api: ApiClient):
        self.api = api

    def page(self, **filters: Any) -> dict[str, Any]:
        return self.api.get("/v1/reviews", **filters)

    def get(self, review_id: str) -> dict[str, Any]:
        return self.api.get(f"/v1/reviews/{review_id}")

    def of_programme(self, programme_id: str) -> list[dict[str, Any]]:
        return self.api.get(f"/v1/programmes/{programme_id}/reviews")

    def assign(self, programme_id: str, person_id: str) -> dict[str, Any]:
        body = {"reviewer_person_id": person_id}
        return self.api.post(f"/v1/programmes/{programme_id}/reviews", body)

    def declare(self, review_id: str, declaration: str, reason: str | None) -> dict[str, Any]:
        body = {"declaration": declaration, "reason": reason}
        return self.api.post(f"/v1/reviews/{review_id}/declaration", body)

    def submit(self, review_id: str, scores: dict[str, Any]) -> dict[str, Any]:
        return self.api.post(f"/v1/reviews/{review_id}/submission", {"scores": scores})

    def proposal(self, review_id: str) -> dict[str, Any]:
        return self.api.get(f"/v1/reviews/{review_id}/proposal")
