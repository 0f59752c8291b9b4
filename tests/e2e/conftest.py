"""What the console's browser tests share: one SMTP server, the people and one Chromium for a
module's whole topology. Each module starts its own `system` (its own settings)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.console_actors import People
from tests.support.browser import Browser
from tests.support.smtp import SmtpServer


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def people(system) -> People:
    return People(system)


@pytest.fixture(scope="module")
def browser(system) -> Iterator[Browser]:
    started = Browser(system.base_url).start()
    yield started
    started.quit()
