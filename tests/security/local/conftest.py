"""The tests against the local topology as a person would run it: one `setu up` (its own
SMTP sink writing var/mail, its own secrets under var/secrets) with a secretariat key and
partners' keys, shared by every test here. tests/conftest.py sends this folder's files to one
test process together, so that the suite starts this system once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.topology import PartnerOrganisations, RunningSetu, running_setu, setup_partners
from tests.support.infra import free_port


@dataclass(frozen=True)
class LocalSetu:
    system: RunningSetu
    secretariat: str  # a key of the JP side
    organisations: PartnerOrganisations  # a JP and an IN partner organisation, with keys

    @property
    def partner(self) -> str:
        """A key of the JP partner organisation."""
        return self.organisations.key

    @property
    def jp(self) -> str:
        return self.organisations.jp

    @property
    def india(self) -> str:
        return self.organisations.india

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
        yield LocalSetu(system, system.bootstrap_key("JP"), setup_partners(system))
