"""One `setu up` for the security tests of a test process: the local topology as a person
would run it (its own SMTP sink writing var/mail, its own secrets under var/secrets), with
a secretariat key and a partner's."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.topology import RunningSetu, running_setu, setup_partners
from tests.support.infra import free_port


@dataclass(frozen=True)
class LocalSetu:
    system: RunningSetu
    secretariat: str  # a key of the JP side
    partner: str  # a key of the JP partner organisation
    jp: str
    india: str

    @property
    def data_dir(self) -> Path:
        return Path(self.system.env["SETU_DATA_DIR"])

    def port(self, service: str) -> int:
        """``gateway``, ``programmes``, ``notifications`` or ``reports``."""
        return int(self.system.env[f"{service.upper()}_PORT"])

    def base(self, service: str) -> str:
        return f"http://127.0.0.1:{self.port(service)}"


@pytest.fixture(scope="package")
def local_setu(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[LocalSetu]:
    data_dir = tmp_path_factory.mktemp("security") / "var"
    # SMTP_HOST unset: `setu up` runs its own sink on this port, as on a laptop. The
    # encoded-path corpus sends a few hundred requests with one key.
    extra = {"SMTP_HOST": "", "SETU_RATE_LIMIT": "100000/minute"}
    with running_setu(data_dir, redis_url, free_port(), **extra) as system:
        partner, jp, india = setup_partners(system)
        yield LocalSetu(system, system.bootstrap_key("JP"), partner, jp, india)
