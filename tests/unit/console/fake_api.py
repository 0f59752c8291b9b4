"""A fake of the public API for the console's unit tests, reached through requests.

It answers the few routes a test gives it (method, path) -> (status, body, headers) and
records every request, so a test can say what the console asked and with which token.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import BaseAdapter
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from console.app import create_app
from console.config import Config
from setu_contract.http import request_target

SECRET = "console-unit-tests-" + "abcdefghijklmnopqrstuvwxyz0123456789"
INTERNAL_SECRET = "console-internal-" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
API_URL = "http://api.test"


@dataclass
class FakeApi:
    routes: dict[tuple[str, str], tuple[int, Any, dict[str, str]]] = field(default_factory=dict)
    received: list[dict[str, Any]] = field(default_factory=list)
    # Called with each request before it is answered (a test that holds requests back).
    before_answer: Any = None

    def answer(self, method: str, path: str, status: int, body: Any = None, **headers: str) -> None:
        self.routes[(method, path)] = (status, body, headers)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        self.received.append(
            {
                "method": request.method,
                "path": request.path,
                "args": dict(request.args),
                "authorization": request.headers.get("Authorization"),
                "json": request.get_json(silent=True),
                "target": request_target(environ),
                "headers": dict(request.headers),
            }
        )
        if self.before_answer is not None:
            self.before_answer(request)
        status, body, headers = self.routes.get(
            (request.method, request.path),
            (404, {"code": 404, "status": "Not Found", "message": "no such thing"}, {}),
        )
        text = "" if body is None else json.dumps(body)
        response = Response(text, status=status, mimetype="application/json", headers=headers)
        return response(environ, start_response)

    def calls(self, method: str | None = None, path: str | None = None) -> list[dict[str, Any]]:
        return [
            r
            for r in self.received
            if (method is None or r["method"] == method) and (path is None or r["path"] == path)
        ]


class WsgiAdapter(BaseAdapter):
    """requests' transport into a WSGI app, in process."""

    def __init__(self, app: Any):
        super().__init__()
        self.client = Client(app)

    def send(self, request: requests.PreparedRequest, **_: Any) -> requests.Response:
        path = request.url.removeprefix(API_URL)
        answer = self.client.open(
            path, method=request.method, headers=dict(request.headers), data=request.body
        )
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = answer.get_data()
        response._content_consumed = True
        response.headers.update(answer.headers)
        response.url = request.url
        response.reason = answer.status.split(" ", 1)[1]
        return response

    def close(self) -> None:
        pass


def console_for(api: FakeApi, public_url: str = "http://127.0.0.1:8000") -> Any:
    def session() -> requests.Session:
        made = requests.Session()
        made.mount(API_URL, WsgiAdapter(api))
        return made

    config = Config(
        api_url=API_URL, public_url=public_url, secret_key=SECRET, internal_secret=INTERNAL_SECRET
    )
    app = create_app(config, http_session_factory=session)
    app.config["TESTING"] = True
    return app


def sign_in(client: Any, role: str = "partner", **who: Any) -> None:
    """A signed-in session in the test client's cookie, as sign-in leaves it."""
    with client.session_transaction("/console/") as session:
        session["token"] = "setus_session.secret"
        session["state"] = "active"
        session["me"] = {
            "name": "田中 裕子",
            "role": role,
            "side": who.get("side"),
            "organisation_id": who.get("organisation_id", "org-jp"),
            "organisation_name": "Tokyo Lab",
            "country": "JP",
        }
        session["language"] = who.get("language", "en")
        session["time_zone"] = who.get("time_zone", "Asia/Tokyo")
