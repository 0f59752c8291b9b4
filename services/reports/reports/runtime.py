"""The composition root of worker and command processes: one engine per process, made lazily."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from reports.config import Config
from reports.store.db import make_engine, make_sessionmaker
from setu_contract.confirmations import Confirmer
from setu_contract.messaging import REPORTS_QUEUE


@dataclass(frozen=True)
class Runtime:
    config: Config
    engine: Engine
    sessions: sessionmaker[Session]
    # Tells each event's producer once the read model is done with the event.
    confirmer: Confirmer


def build_runtime(config: Config) -> Runtime:
    engine = make_engine(config.database_url)
    confirmer = Confirmer(config.redis_url, REPORTS_QUEUE)
    return Runtime(config, engine, make_sessionmaker(engine), confirmer)


@lru_cache(maxsize=1)
def process_runtime() -> Runtime:
    """This process's runtime, from the environment, made on first use (after a fork)."""
    return build_runtime(Config.from_env())
