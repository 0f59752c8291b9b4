"""Signing in: a one-time link by email, a session for it, TOTP; the current session.

``POST /v1/sign-in`` and ``POST /v1/sessions`` are the only /v1 routes without a key or a
session: a refused link counts against the client's address like a refused key.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import current_app
from flask.views import MethodView

from programmes.api import PublicV1Blueprint, V1Blueprint, unit_of_work
from programmes.api.identity import FAILURES, client_address
from programmes.api.ratelimit import FailedAuthentications
from programmes.domain.errors import WrongCode
from programmes.people_schemas import (
    MessageSchema,
    RecoveryCodesSchema,
    SessionCreatedSchema,
    SessionCreateSchema,
    SessionSchema,
    SignInSchema,
    TotpCodeSchema,
    TotpEnrolmentSchema,
    TotpVerifySchema,
)
from programmes.services import sessions, totp
from programmes.services.people import person_snapshot
from setu_contract.edge import caller
from setu_contract.errors import Unauthenticated

public = PublicV1Blueprint("sign_in", __name__, url_prefix="/v1", description="Signing in")
blp = V1Blueprint("sessions", __name__, url_prefix="/v1", description="The current session")


def _failures() -> tuple[FailedAuthentications, str, float]:
    """The limit on refused links, per client address (429 past it)."""
    failures: FailedAuthentications = current_app.extensions[FAILURES]
    address, now = client_address(), time.time()
    failures.check_now(address, now)
    return failures, address, now


@public.route("/sign-in")
class SignIn(MethodView):
    @public.arguments(SignInSchema())
    @public.response(202, MessageSchema)
    @public.doc(security=[])
    def post(self, fields: dict[str, Any]) -> Any:
        """Ask for a one-time sign-in link by email (the same answer for any address)"""
        with unit_of_work() as session:
            sessions.request_sign_in(session, fields["email"], fields["next"])
        return {"message": sessions.SIGN_IN_ANSWER}, 202


@public.route("/sessions")
class Sessions(MethodView):
    @public.arguments(SessionCreateSchema())
    @public.response(201, SessionCreatedSchema)
    @public.alt_response(401, description="The link is not valid, was used or has expired")
    @public.doc(security=[])
    def post(self, fields: dict[str, Any]) -> Any:
        """Spend a sign-in link (once, within 15 minutes) for a session"""
        failures, address, now = _failures()
        secret = current_app.extensions["programmes.config"].internal_secret
        try:
            with unit_of_work() as session:
                opened = sessions.open_session(session, secret, fields["token"])
                answer = {
                    "session": opened.token,
                    "person": {**person_snapshot(opened.person), "allowed_actions": []},
                    "state": opened.session.state,
                    "next": opened.next,
                    "idle_expires_at": opened.session.idle_expires_at.isoformat(),
                    "expires_at": opened.session.expires_at.isoformat(),
                }
        except Unauthenticated:
            failures.record(address, now)
            raise
        return answer, 201


@blp.route("/sessions/current")
class CurrentSession(MethodView):
    @blp.response(200, SessionSchema)
    def get(self) -> dict[str, Any]:
        """The current session"""
        with unit_of_work() as session:
            return sessions.session_view(sessions.current_session(session, caller()))

    @blp.response(204)
    def delete(self) -> None:
        """Sign out"""
        with unit_of_work() as session:
            sessions.sign_out(session, caller())


@contextmanager
def slowed_when_wrong() -> Iterator[None]:
    """A wrong code is answered late, once its count is committed (a guesser waits longer
    with each wrong code; the database is not held while it waits)."""
    try:
        yield
    except WrongCode as wrong:
        time.sleep(wrong.slow_down)
        raise


@blp.route("/sessions/current/totp-enrolment")
class TotpEnrolment(MethodView):
    @blp.response(201, TotpEnrolmentSchema)
    def post(self) -> Any:
        """Start TOTP enrolment: the secret, as text, an otpauth URI and a QR code (SVG)"""
        with unit_of_work() as session:
            return totp.start_enrolment(session, caller()), 201


@blp.route("/sessions/current/totp-enrolment/confirm")
class TotpEnrolmentConfirm(MethodView):
    @blp.arguments(TotpCodeSchema())
    @blp.response(200, RecoveryCodesSchema)
    def post(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Confirm TOTP enrolment with a first code: ten recovery codes, shown this once"""
        with slowed_when_wrong(), unit_of_work() as session:
            return {"recovery_codes": totp.confirm_enrolment(session, caller(), fields["code"])}


@blp.route("/sessions/current/totp")
class TotpCode(MethodView):
    @blp.arguments(TotpVerifySchema())
    @blp.response(200, SessionSchema)
    def post(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Confirm the sign-in with a TOTP code, or a recovery code (spent)"""
        with slowed_when_wrong(), unit_of_work() as session:
            opened = totp.verify(session, caller(), fields.get("code"), fields.get("recovery_code"))
            return sessions.session_view(opened)
