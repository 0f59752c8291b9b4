"""Settings of the notifications service: the only module that reads the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from setu_contract.secret_settings import INTERNAL_SECRET, SECRET_KEY, checked_secret

_TRUE = {"1", "true", "yes", "on"}


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in _TRUE


def _default_database_url(env: Mapping[str, str]) -> str:
    data_dir = Path(env.get("SETU_DATA_DIR") or "var")
    return f"sqlite:///{data_dir / 'notifications.db'}"


def _reports_url(env: Mapping[str, str]) -> str:
    """REPORTS_URL, else the reports API on this host (REPORTS_PORT, as `setu up` runs it)."""
    port = env.get("REPORTS_PORT") or "8003"
    return (env.get("REPORTS_URL") or f"http://127.0.0.1:{port}").rstrip("/")


@dataclass(frozen=True)
class Config:
    database_url: str = "sqlite:///var/notifications.db"
    redis_url: str = "redis://127.0.0.1:6379/0"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout: float = 10.0
    mail_from: str = "Setu Partnership Office <no-reply@setu.local>"
    reply_to: str | None = None
    secretariat_email: str = "secretariat@setu.local"
    public_url: str = "http://127.0.0.1:8000"
    # No defaults (secret_settings): the API needs both (``require_secrets``), the worker
    # the first (it signs the unsubscribe links); commands that use neither need neither.
    secret_key: str = ""
    internal_secret: str = ""
    # Where report files are fetched for their emails (the reports API, not the gateway).
    reports_url: str = "http://127.0.0.1:8003"
    webhook_allow_private: bool = False
    webhook_max_attempts: int = 8
    webhook_disable_after: float = 3 * 24 * 3600.0
    testing: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        env = os.environ if env is None else env
        secretariat = env.get("SECRETARIAT_EMAIL") or cls.secretariat_email
        return cls(
            database_url=env.get("NOTIFICATIONS_DATABASE_URL") or _default_database_url(env),
            redis_url=env.get("REDIS_URL") or cls.redis_url,
            smtp_host=env.get("SMTP_HOST") or cls.smtp_host,
            smtp_port=int(env.get("SMTP_PORT") or cls.smtp_port),
            smtp_username=env.get("SMTP_USERNAME") or None,
            smtp_password=env.get("SMTP_PASSWORD") or None,
            smtp_starttls=_flag(env.get("SMTP_STARTTLS")),
            smtp_timeout=float(env.get("SMTP_TIMEOUT") or cls.smtp_timeout),
            mail_from=env.get("MAIL_FROM") or cls.mail_from,
            reply_to=env.get("MAIL_REPLY_TO") or secretariat,
            secretariat_email=secretariat,
            public_url=(env.get("SETU_PUBLIC_URL") or cls.public_url).rstrip("/"),
            secret_key=env.get(SECRET_KEY) or "",
            internal_secret=env.get(INTERNAL_SECRET) or "",
            reports_url=_reports_url(env),
            webhook_allow_private=_flag(env.get("WEBHOOK_ALLOW_PRIVATE")),
            webhook_max_attempts=int(env.get("WEBHOOK_MAX_ATTEMPTS") or cls.webhook_max_attempts),
            webhook_disable_after=float(
                env.get("WEBHOOK_DISABLE_AFTER_SECONDS") or cls.webhook_disable_after
            ),
        )

    def require_secrets(self, *variables: str) -> Config:
        """This config, if the secrets named (SETU_SECRET_KEY, SETU_INTERNAL_SECRET) are
        usable; else UnsafeSecret."""
        values = {SECRET_KEY: self.secret_key, INTERNAL_SECRET: self.internal_secret}
        for variable in variables:
            checked_secret(variable, values[variable])
        return self
