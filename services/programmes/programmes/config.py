"""Settings of the programmes service: the only module that reads the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from setu_contract.secret_settings import INTERNAL_SECRET


def _default_database_url(env: Mapping[str, str]) -> str:
    data_dir = Path(env.get("SETU_DATA_DIR") or "var")
    return f"sqlite:///{data_dir / 'programmes.db'}"


@dataclass(frozen=True)
class Config:
    database_url: str = "sqlite:///var/programmes.db"
    redis_url: str = "redis://127.0.0.1:6379/0"
    rate_limit: str = "600/minute"
    auth_failure_limit: str = "30/minute"
    secretariat_email: str = "secretariat@setu.local"
    log_level: str = "INFO"
    # Signs the identity /internal/authorize answers with; no default (secret_settings):
    # the API refuses to start without a usable one, commands that do not sign need none.
    internal_secret: str = ""
    # Seconds the relay waits for a consumer to confirm an event before sending it again.
    delivery_deadline: float = 60.0
    # Threads a gunicorn worker serves requests on (setu.gunicorn_conf reads the same
    # variable): the API's connection pool is sized by it.
    web_threads: int = 4
    testing: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        env = os.environ if env is None else env
        return cls(
            database_url=env.get("PROGRAMMES_DATABASE_URL") or _default_database_url(env),
            redis_url=env.get("REDIS_URL") or cls.redis_url,
            rate_limit=env.get("SETU_RATE_LIMIT") or cls.rate_limit,
            auth_failure_limit=env.get("SETU_AUTH_FAILURE_LIMIT") or cls.auth_failure_limit,
            secretariat_email=env.get("SECRETARIAT_EMAIL") or cls.secretariat_email,
            log_level=env.get("LOG_LEVEL") or cls.log_level,
            internal_secret=env.get(INTERNAL_SECRET) or "",
            delivery_deadline=float(env.get("SETU_DELIVERY_DEADLINE") or cls.delivery_deadline),
            web_threads=int(env.get("WEB_THREADS") or cls.web_threads),
        )
