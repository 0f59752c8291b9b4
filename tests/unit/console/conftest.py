"""The console's unit tests: its app against a fake of the API (``fake_api``); a test file
that needs the API to answer something from the start overrides ``api``."""

from __future__ import annotations

import pytest

from tests.unit.console.fake_api import FakeApi, console_for


@pytest.fixture
def api() -> FakeApi:
    return FakeApi()


@pytest.fixture
def client(api):
    return console_for(api).test_client()
