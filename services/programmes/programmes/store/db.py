"""Engines and sessions of the programmes service: the settings every service shares."""

from setu_contract.database import make_engine, make_sessionmaker

__all__ = ["make_engine", "make_sessionmaker"]
