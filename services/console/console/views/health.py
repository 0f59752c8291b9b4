"""/healthz and /readyz of the console process (the gateway's /readyz asks every upstream)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

blp = Blueprint("health", __name__)


@blp.get("/healthz")
def alive() -> ResponseReturnValue:
    return jsonify(status="ok")


@blp.get("/readyz")
def ready() -> ResponseReturnValue:
    # The console keeps nothing of its own: once it answers, it is ready; the API's own
    # readiness is the gateway's to report.
    return jsonify(status="ready")
