"""The console's HTTP transport (a urllib3 pool of keep-alive connections) against a real
local server: what it sends, what it reads, and a connection the server closed."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import pytest

from console.api_client.base import ApiClient, ApiError, Transport
from setu_contract.http import verified_client_address

SECRET = "console-transport-" + "abcdefghijklmnopqrstuvwxyz0123456789"


class Recorder(BaseHTTPRequestHandler):
    """A keep-alive HTTP/1.1 server's handler that records each request (werkzeug's
    development server closes every connection)."""

    protocol_version = "HTTP/1.1"
    seen: list[dict[str, Any]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, _, query = self.path.partition("?")
        self.seen.append(
            {
                "method": self.command,
                "target": self.path,
                "headers": {k: v for k, v in self.headers.items()},
                "body": body,
                "port": self.client_address[1],
            }
        )
        status, answer = 200, {"path": path, "args": dict(parse_qsl(query))}
        if path == "/v1/slow":
            time.sleep(0.6)
        if path == "/v1/refused":
            errors = {"json": {"title": ["Not a valid string."]}}
            status, answer = 422, {"message": "Invalid input.", "errors": errors}
        text = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(text)))
        self.send_header("ETag", '"x.1"')
        self.end_headers()
        self.wfile.write(text)
        # As a gateway ends an idle keep-alive connection: closed without a word.
        self.close_connection = path == "/v1/bye"

    do_GET = do_POST = do_PATCH = do_DELETE = _answer

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    seen: list[dict[str, Any]] = []
    handler = type("Handler", (Recorder,), {"seen": seen})
    made = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    made.daemon_threads = True
    thread = threading.Thread(target=made.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{made.server_port}", seen
    made.shutdown()
    made.server_close()


def test_a_read_sends_its_query_token_language_and_signed_address(server) -> None:
    url, seen = server
    client = ApiClient(Transport(url, 5.0, None, SECRET), "tok", "ja", "203.0.113.9")
    answer = client.get("/v1/programmes", status="draft", q="半導体 AI", page=None, empty="")
    assert answer == {"path": "/v1/programmes", "args": {"status": "draft", "q": "半導体 AI"}}
    seen = seen[-1]
    assert seen["headers"]["Authorization"] == "Bearer tok"
    assert seen["headers"]["Accept-Language"] == "ja"
    # Signed for the very target the server read.
    verified = verified_client_address(seen["headers"], SECRET, "GET", seen["target"])
    assert verified == "203.0.113.9"
    assert seen["target"].startswith("/v1/programmes?status=draft&q=")


def test_a_write_sends_json_and_a_refusal_comes_back_with_its_field_errors(server) -> None:
    url, seen = server
    client = ApiClient(Transport(url, 5.0), "tok")
    assert client.post("/v1/programmes", {"title": "Chiplets"})["path"] == "/v1/programmes"
    assert json.loads(seen[-1]["body"]) == {"title": "Chiplets"}
    assert seen[-1]["headers"]["Content-Type"] == "application/json"
    with pytest.raises(ApiError) as refused:
        client.post("/v1/refused", {"title": 1})
    assert refused.value.status == 422
    assert refused.value.field_errors() == {"title": ["Not a valid string."]}
    answer = client.request("GET", "/v1/programmes/p 1")
    assert answer.headers.get("etag") == '"x.1"'
    assert seen[-1]["target"] == "/v1/programmes/p%201"


def test_calls_reuse_one_connection_and_survive_the_server_closing_it(server) -> None:
    url, seen = server
    transport = Transport(url, 5.0)
    client = ApiClient(transport, None)
    client.get("/v1/a")
    client.get("/v1/b")
    assert seen[0]["port"] == seen[1]["port"]
    client.get("/v1/bye")
    time.sleep(0.05)
    assert client.get("/v1/c")["path"] == "/v1/c"
    assert client.post("/v1/d", {})["path"] == "/v1/d"
    assert seen[-2]["port"] != seen[0]["port"]


def test_no_server_is_a_503_not_a_crash() -> None:
    client = ApiClient(Transport("http://127.0.0.1:9", 1.0), None)
    with pytest.raises(ApiError) as refused:
        client.get("/v1/programmes")
    assert refused.value.status == 503


def test_a_read_that_timed_out_is_asked_once_not_again(server) -> None:
    # A slow server is not a dropped connection: asking again would double the wait and the
    # load on a server already behind.
    url, seen = server
    client = ApiClient(Transport(url, 0.2), None)
    with pytest.raises(ApiError) as refused:
        client.get("/v1/slow")
    assert refused.value.status == 503
    time.sleep(0.7)
    assert [s["target"] for s in seen] == ["/v1/slow"]
