"""The service's settings: the only place that reads the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class Config:
    database_url: str
    redis_url: str = DEFAULT_REDIS_URL
    data_dir: Path = Path("var")
    public_url: str = DEFAULT_PUBLIC_URL
    max_content_length: int = 1024 * 1024

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
        )
