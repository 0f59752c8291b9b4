"""Fixtures of the security tests: the programmes API's own (a migrated database on SQLite
and PostgreSQL, a real Redis) and the three services' apps of ``odd_services``. The tests
against the local topology as a person runs it are in ``local/``."""

from __future__ import annotations

from tests.integration.programmes.conftest import (  # noqa: F401 (fixtures)
    Caller,
    app,
    client,
    engine,
    partners,
    programmes_env,
    schema,
    second,
    secretariat,
    secretariat_in,
)
from tests.security.odd_services import three_services  # noqa: F401 (fixture)
