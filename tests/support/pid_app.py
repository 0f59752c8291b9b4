"""A WSGI app for gunicorn tests: answers, after ``?ms=`` milliseconds, with its process id."""

from __future__ import annotations

import os
import time
from urllib.parse import parse_qs


def app(environ, start_response):
    wait = parse_qs(environ.get("QUERY_STRING", "")).get("ms", ["0"])[0]
    time.sleep(int(wait) / 1000)
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
