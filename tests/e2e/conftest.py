"""What the console's browser tests share: one SMTP server, the people and one Chromium for a
module's whole topology. Each module starts its own `system` (its own settings). A browser
test that fails leaves the page it was on under test-artifacts/console/failures/."""

from __future__ import annotations

import contextlib
from collections.abc import Generator, Iterator

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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    browser = getattr(item, "funcargs", {}).get("browser")
    if report.when == "call" and report.failed and isinstance(browser, Browser):
        # The browser may be what failed: the report is kept whatever happens here.
        with contextlib.suppress(Exception):
            saved = browser.save_failure(item.name)
            report.sections.append(("browser", f"the page it failed on: {saved}"))
    return report
