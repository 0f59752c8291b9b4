"""The secrets of a test session, and identity signed as the gateway's would be.

Tests that call notifications or reports without a gateway in front give the app
``INTERNAL_SECRET`` and use ``signing_client``: each request that carries identity headers
is signed for its own method and target, as programmes signs what the gateway forwards. A
test of refusals sends its headers some other way (or signs them with ``signed``).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import EnvironHeaders

from setu_contract.http import (
    SIGNATURE_HEADER,
    Principal,
    principal_from_headers,
    request_target,
    sign_identity,
)
from setu_contract.secret_settings import INTERNAL_SECRET as INTERNAL_SECRET_VARIABLE
from setu_contract.secret_settings import SECRET_KEY as SECRET_KEY_VARIABLE
from setu_contract.secret_settings import new_secret

INTERNAL_SECRET = new_secret()
SECRET_KEY = new_secret()
# For a process's environment: what `setu up` or compose would give it.
SECRETS = {INTERNAL_SECRET_VARIABLE: INTERNAL_SECRET, SECRET_KEY_VARIABLE: SECRET_KEY}
# For a notifications Config made in the test: the same values.
CONFIG_SECRETS = {"internal_secret": INTERNAL_SECRET, "secret_key": SECRET_KEY}


def signed(
    principal: Principal,
    method: str,
    target: str,
    secret: str = INTERNAL_SECRET,
    now: float | None = None,
) -> dict[str, str]:
    """``principal``'s identity headers, signed for one request (``target``: its path and
    query as sent)."""
    return sign_identity(principal, secret, method, target, now)


class SignedIdentityClient(FlaskClient):
    """A test client whose requests carry their identity headers signed, as if through the
    gateway; headers that name no valid principal, or already carry a signature, go as
    they are."""

    def run_wsgi_app(self, environ: dict[str, Any], buffered: bool = False) -> Any:
        headers = EnvironHeaders(environ)
        principal = principal_from_headers(headers)
        if principal is not None and SIGNATURE_HEADER not in headers:
            target = request_target(environ)
            signature = signed(principal, environ["REQUEST_METHOD"], target)[SIGNATURE_HEADER]
            environ["HTTP_" + SIGNATURE_HEADER.upper().replace("-", "_")] = signature
        return super().run_wsgi_app(environ, buffered)


def signing_client(app: Flask) -> FlaskClient:
    """``app``'s test client, signing identity with ``INTERNAL_SECRET``."""
    app.test_client_class = SignedIdentityClient
    return app.test_client()
