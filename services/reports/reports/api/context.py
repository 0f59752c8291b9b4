"""What the views reach through the app: the session factory, the broker, the settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session, sessionmaker

from reports.config import Config


@dataclass
class ServiceContext:
    config: Config
    sessions: sessionmaker[Session]
    celery: Any


def context() -> ServiceContext:
    return current_app.extensions["reports"]
