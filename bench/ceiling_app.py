"""The HTTP ceiling: a minimal Flask app that answers a constant JSON document.

Served by gunicorn with the same settings as the APIs, it shows what the web stack alone
costs on this machine, so that the APIs' figures can be read as a ratio to it.
"""

from __future__ import annotations

from flask import Flask, jsonify


def create_app() -> Flask:
    app = Flask("bench-ceiling")

    @app.get("/v1/ping")
    def ping():
        return jsonify({"id": "00000000-0000-0000-0000-000000000000", "status": "ok"})

    return app
