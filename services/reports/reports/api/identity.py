"""Who is calling, as the gateway vouched for it in the X-Setu-* headers.

Reports aggregate every organisation's data, so they are for the secretariat and auditors:
a partner key is refused with 403. Auditors read everything and write nothing, but asking
for a report is reading, so they may request reports; schedules are secretariat-only to write.
"""

from __future__ import annotations

from flask import request
from flask_smorest import abort

from setu_contract.http import Principal, principal_from_headers


def caller() -> Principal:
    principal = principal_from_headers(request.headers)
    if principal is None:
        abort(401, message="Authentication required: send Authorization: Bearer <api key>.")
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
