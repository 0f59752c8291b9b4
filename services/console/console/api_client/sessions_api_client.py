"""Sign-in and sessions (docs: the people API contract): links by email, sessions, TOTP."""

from __future__ import annotations

from typing import Any

from console.api_client.base import ApiClient


class SessionsApiClient:
    def __init__(self, api: ApiClient):
        self.api = api

    def send_link(self, email: str, next_path: str | None) -> Any:
        body: dict[str, Any] = {"email": email}
        if next_path:
            body["next"] = next_path
        return self.api.post("/v1/sign-in", body)

    def open(self, link_token: str) -> dict[str, Any]:
        return self.api.post("/v1/sessions", {"token": link_token})

    def me(self) -> dict[str, Any]:
        return self.api.get("/v1/me")

    def start_totp_enrolment(self) -> dict[str, Any]:
        return self.api.post("/v1/sessions/current/totp-enrolment")

    def confirm_totp_enrolment(self, code: str) -> dict[str, Any]:
        return self.api.post("/v1/sessions/current/totp-enrolment/confirm", {"code": code})

    def verify_totp(self, code: str | None = None, recovery_code: str | None = None) -> Any:
        body = {"recovery_code": recovery_code} if recovery_code else {"code": code}
        return self.api.post("/v1/sessions/current/totp", body)

    def end(self) -> None:
        self.api.delete("/v1/sessions/current")
