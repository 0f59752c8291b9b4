"""The service's settings: the only place that reads the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from setu_contract.secret_settings import INTERNAL_SECRET, SECRET_KEY

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class Config:
    database_url: str
    redis_url: str = DEFAULT_REDIS_URL
    data_dir: Path = Path("var")
    public_url: str = DEFAULT_PUBLIC_URL
    max_content_length: int = 1024 * 1024
    # Retries of reports.handle_event on a transient error (exponential backoff with jitter);
    # after the last one the event becomes a dead letter. Tests make them short.
    event_max_retries: int = 8
    event_retry_base: float = 1.0
    event_retry_max: float = 60.0
    # Checks the identity the gateway signed; no default (secret_settings): the API refuses
    # to start without a usable one, the worker and commands need none.
    internal_secret: str = ""
    # Signs the download links in report emails, which work without a key for this long;
    # no default either: the API and the worker refuse to start without a usable one.
    secret_key: str = ""
    report_link_days: float = 7.0
    # The one address besides organisations' contacts that reports may be emailed to.
    secretariat_email: str = "secretariat@setu.local"
    # Seconds the relay waits for notifications to confirm a report.generated event before
    # sending it again.
    delivery_deadline: float = 60.0

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        env = os.environ if env is None else env
        data_dir = Path(env.get("SETU_DATA_DIR") or "var")
        return cls(
            database_url=env.get("REPORTS_DATABASE_URL") or f"sqlite:///{data_dir / 'reports.db'}",
            redis_url=env.get("REDIS_URL") or DEFAULT_REDIS_URL,
            data_dir=data_dir,
            public_url=(env.get("SETU_PUBLIC_URL") or DEFAULT_PUBLIC_URL).rstrip("/"),
            event_max_retries=int(_number(env, "REPORTS_EVENT_MAX_RETRIES", 8)),
            event_retry_base=_number(env, "REPORTS_EVENT_RETRY_BASE", 1.0),
            event_retry_max=_number(env, "REPORTS_EVENT_RETRY_MAX", 60.0),
            internal_secret=env.get(INTERNAL_SECRET) or "",
            secret_key=env.get(SECRET_KEY) or "",
            report_link_days=_number(env, "REPORT_LINK_DAYS", 7.0),
            secretariat_email=env.get("SECRETARIAT_EMAIL") or cls.secretariat_email,
            delivery_deadline=_number(env, "SETU_DELIVERY_DEADLINE", 60.0),
        )


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {raw!r}") from None
    if value < 0:
        raise ValueError(f"{name} must not be negative, not {raw!r}")
    return value
