"""setu_contract.observability.JsonFormatter: one JSON object a line, whatever a log carries."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

import pytest

from setu_contract.observability import JsonFormatter, set_correlation_id


def record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    return logging.makeLogRecord(
        {"msg": message, "args": args, "levelname": "INFO", "name": "programmes.http", **extra}
    )


@pytest.fixture
def correlated():
    set_correlation_id("c0ffee")
    yield
    set_correlation_id(None)


def test_a_line_holds_the_message_its_context_and_its_extras(correlated):
    line = JsonFormatter("programmes").format(
        record("%s %s %s", "GET", "/v1/programmes/p-1", 200, status=200, duration_ms=1.5)
    )
    entry = json.loads(line)
    assert "\n" not in line
    assert {k: entry[k] for k in ("level", "service", "logger", "message", "correlation_id")} == {
        "level": "info",
        "service": "programmes",
        "logger": "programmes.http",
        "message": "GET /v1/programmes/p-1 200",
        "correlation_id": "c0ffee",
    }
    assert (entry["status"], entry["duration_ms"]) == (200, 1.5)
    assert datetime.fromisoformat(entry["time"]).tzinfo is not None


def test_text_is_written_as_utf8_and_what_json_cannot_hold_as_its_str():
    when = datetime(2026, 4, 1, 9, 30, tzinfo=UTC)
    line = JsonFormatter("notifications").format(
        record("件名 %s", "東京", when=when, tags={"jp"}, by_id={7: "seven"})
    )
    entry = json.loads(line)
    assert "件名 東京" in line  # not \u escapes
    assert entry["message"] == "件名 東京"
    assert entry["when"] == str(when)
    assert entry["tags"] == "{'jp'}"
    assert entry["by_id"] == {"7": "seven"}


def test_an_integer_beyond_64_bits_is_still_written():
    entry = json.loads(JsonFormatter("reports").format(record("rows", rows=2**70)))
    assert entry["rows"] == 2**70


def test_an_exception_is_written_in_the_line():
    try:
        raise ValueError("no such programme")
    except ValueError:
        failed = record("failed", exc_info=sys.exc_info())
    entry = json.loads(JsonFormatter("programmes").format(failed))
    assert "ValueError: no such programme" in entry["exception"]
