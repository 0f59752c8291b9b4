"""Who is calling, as the gateway vouched for it in the signed X-Setu-* headers.

Reports aggregate every organisation's data, so they are for the secretariat and auditors:
a partner key is refused with 403. Auditors read everything and write nothing, but asking
for a report is reading, so they may request reports; schedules are secretariat-only to write.
"""

from __future__ import annotations

from flask import request
from flask_smorest import abort

from reports.api.context import context
from setu_contract.http import Principal, request_target, verified_principal


def caller() -> Principal:
    secret = context().config.internal_secret
    target = request_target(request.environ)
    principal = verified_principal(request.headers, secret, request.method, target)
    if principal is None:
        abort(401, message="Authentication required: send Authorization: Bearer <api key>.")
        raise AssertionError("unreachable: abort raises")
    return principal


def reader() -> Principal:
    principal = caller()
    if not principal.can_read_everything:
        abort(403, message="Reports are for the secretariat and auditors.")
    return principal


def secretariat() -> Principal:
    principal = reader()
    if not principal.is_secretariat:
        abort(403, message="Only the secretariat may change report schedules.")
    return principal
