"""setu_contract.observability.AccessLog: a line a request, straight to configure_logging's
handler when nothing else would see it, through the logger otherwise."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from setu_contract.observability import AccessLog, configure_logging, set_correlation_id


@pytest.fixture
def configured() -> Iterator[io.StringIO]:
    """The root logger as configure_logging leaves it, writing to a buffer; restored after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging("programmes", "INFO")
    stream = io.StringIO()
    root.handlers[0].setStream(stream)  # type: ignore[attr-defined]
    set_correlation_id("c0ffee")
    yield stream
    set_correlation_id(None)
    root.handlers[:] = handlers
    root.setLevel(level)


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_the_line_is_the_one_the_formatter_writes_for_the_same_record(configured):
    AccessLog("programmes")("GET", "/v1/programmes/p-1%25", 200, 0.00123)
    logging.getLogger("programmes.http").info(
        "%s %s %s", "GET", "/v1/programmes/p-1%25", 200, extra={"status": 200, "duration_ms": 1.2}
    )
    written, logged = _lines(configured)
    assert written.pop("time")[:16] == logged.pop("time")[:16]
    assert (
        written
        == logged
        == {
            "level": "info",
            "service": "programmes",
            "logger": "programmes.http",
            "message": "GET /v1/programmes/p-1%25 200",
            "correlation_id": "c0ffee",
            "status": 200,
            "duration_ms": 1.2,
        }
    )


def test_another_handler_on_the_way_gets_the_record(configured):
    seen: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = seen.append  # type: ignore[method-assign]
    logger = logging.getLogger("programmes.http")
    logger.addHandler(handler)
    try:
        AccessLog("programmes")("POST", "/v1/applications", 201, 0.004)
    finally:
        logger.removeHandler(handler)
    assert [(r.getMessage(), r.status, r.duration_ms) for r in seen] == [  # type: ignore[attr-defined]
        ("POST /v1/applications 201", 201, 4.0)
    ]
    assert _lines(configured)[0]["message"] == "POST /v1/applications 201"


def test_a_filter_on_the_root_handler_is_honoured(configured):
    # The handler is configure_logging's, dropped by the fixture with its filter.
    logging.getLogger().handlers[0].addFilter(logging.Filter("nothing.here"))
    AccessLog("programmes")("GET", "/v1/programmes", 200, 0.001)
    assert configured.getvalue() == ""


def test_nothing_is_written_below_the_configured_level(configured):
    logging.getLogger().setLevel(logging.WARNING)
    AccessLog("programmes")("GET", "/v1/programmes", 200, 0.001)
    assert configured.getvalue() == ""


def test_a_formatter_other_than_the_json_one_gets_a_record(configured):
    handler = logging.getLogger().handlers[0]
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    AccessLog("programmes")("GET", "/v1/programmes", 200, 0.001)
    assert configured.getvalue() == "programmes.http GET /v1/programmes 200\n"


@pytest.mark.parametrize(
    ("path", "written"),
    [
        ("/v1/unsubscribe/eyJlIjoiYUBiLmMifQ.sig", "/v1/unsubscribe/{token}"),
        ("/v1/report-links/WyJyLTEiLDAsMV0.sig", "/v1/report-links/{token}"),
        ("/console/sign-in/setul_0b6c2f47-8a1e.9f3c", "/console/sign-in/{token}"),
        ("/v1/reports/r-1/download", "/v1/reports/r-1/download"),
    ],
)
def test_a_links_token_is_never_written(configured, path, written):
    AccessLog("notifications")("GET", path, 200, 0.001)
    assert _lines(configured)[0]["message"] == f"GET {written} 200"
