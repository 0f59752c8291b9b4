"""gunicorn's access log (ACCESS_LOG=1, as compose runs the APIs) holds no link's token."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from gunicorn.config import Config

from setu.gunicorn_logger import AccessLogger

TOKEN = "eyJlIjoiZGlyZWN0b3JAZXhhbXBsZS5vcmcifQ.c2lnbmF0dXJl"


def _logged(tmp_path, path: str, query: str = "", referer: str = "-") -> str:
    config = Config()
    log = tmp_path / "access.log"
    config.set("accesslog", str(log))
    config.set("access_log_format", '%(h)s "%(r)s" %(s)s %(U)s %(q)s "%(f)s" %({referer}i)s')
    logger = AccessLogger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path + (f"?{query}" if query else ""),
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": referer,
    }
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    request = SimpleNamespace(headers=[("REFERER", referer)])
    logger.access(response, request, environ, datetime.timedelta(milliseconds=3))
    for handler in logger.access_log.handlers:
        handler.flush()
    return log.read_text()


def test_the_tokens_of_unsubscribe_report_and_sign_in_links_are_not_written(tmp_path):
    for route in ("/v1/unsubscribe/", "/v1/report-links/", "/console/sign-in/"):
        written = _logged(tmp_path, route + TOKEN, "a=" + TOKEN, referer=route + TOKEN)
        assert TOKEN not in written, written
        assert f'"GET {route}{{token}} HTTP/1.1" 200 {route}{{token}}' in written


def test_other_paths_are_written_as_they_came(tmp_path):
    written = _logged(tmp_path, "/v1/programmes", "q=chip")
    assert '"GET /v1/programmes?q=chip HTTP/1.1" 200 /v1/programmes q=chip' in written
