"""The console's settings: the only place that reads the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from setu_contract.secret_settings import INTERNAL_SECRET, SECRET_KEY

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class Config:
    # Where the public API answers: the gateway, as a partner's own system would call it.
    api_url: str
    public_url: str = DEFAULT_PUBLIC_URL
    # Signs the session cookie; no default (secret_settings): the console refuses to start
    # without a usable one.
    secret_key: str = ""
    api_timeout: float = 15.0
    # Signs the person's own address on each call (setu_contract.http.sign_client_address):
    # the API limits failed sign-ins per person's address, not per console. Empty: unsigned,
    # and the API counts the console's address.
    internal_secret: str = ""

    @property
    def secure_cookies(self) -> bool:
        """Cookies say `Secure` when people reach Setu over HTTPS (SETU_PUBLIC_URL)."""
        return self.public_url.startswith("https://")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        env = os.environ if env is None else env
        gateway_port = env.get("GATEWAY_PORT") or "8000"
        return cls(
            api_url=(env.get("SETU_API_URL") or f"http://127.0.0.1:{gateway_port}").rstrip("/"),
            public_url=(env.get("SETU_PUBLIC_URL") or DEFAULT_PUBLIC_URL).rstrip("/"),
            secret_key=env.get(SECRET_KEY) or "",
            internal_secret=env.get(INTERNAL_SECRET) or "",
        )
