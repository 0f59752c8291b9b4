"""The programmes API fixtures: a migrated database on SQLite and PostgreSQL, a real Redis."""

from __future__ import annotations

from tests.integration.programmes.conftest import (  # noqa: F401 (fixtures)
    Caller,
    app,
    client,
    engine,
    partners,
    programmes_env,
    second,
    secretariat,
    secretariat_in,
)
