"""What the views reach through the app: sessions, the broker, the settings, the engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from reports.config import Config


@dataclass
class ServiceContext:
    config: Config
    sessions: sessionmaker[Session]
    celery: Any
    engine: Engine
    # For GETs: on SQLite their transactions take no write lock.
    read_sessions: sessionmaker[Session]


def context() -> ServiceContext:
    return current_app.extensions["reports"]
