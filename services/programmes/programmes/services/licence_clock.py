"""The licences' clock: tells the secretariat 30 days before a current export licence
expires and on the day it expires (the day the programme's hold begins), each exactly once.

Run by the calls' clock on each of its ticks (programmes.clock), ``notify`` once per
licence ``due``, each in a transaction the clock opens. Two beats may tick at the
same moment: a notice is a row with a unique key (screening, kind), written in the
transaction that writes its event, so the second tick fails on the key and sends nothing.
The hold itself needs no write: a programme's holds, and every accept, read the licence's
date (services.screenings), so an accept is refused from the first moment of the day even if
no tick has run yet.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Exists, exists, or_, select
from sqlalchemy.orm import Session

from programmes.domain import screening as rules
from programmes.services.events import emit
from programmes.services.screenings import event_data
from programmes.store.models import Application, Programme
from programmes.store.screening_models import LicenceNotice, Screening
from setu_contract.events import EventType

EVENTS = {
    "30d": EventType.SCREENING_LICENCE_EXPIRING,
    "expired": EventType.SCREENING_LICENCE_EXPIRED,
}


def due(session: Session, day: date) -> list[str]:
    """The screenings whose licence has a notice due on ``day`` (UTC)."""
    horizon = day + rules.NOTICES["30d"]
    return list(
        session.scalars(
            select(Screening.id).where(
                Screening.superseded_at.is_(None),
                Screening.outcome == "licence_required",
                Screening.licence_valid_until.is_not(None),
                # its 30-day notice is due once its expiry day is within 30 days
                Screening.licence_valid_until < horizon,
                # and a licence whose notices are sent is not looked at again, tick after
                # tick: none once told expired, none before it expires once warned
                ~_sent("expired"),
                or_(Screening.licence_valid_until < day, ~_sent("30d")),
            )
        )
    )


def _sent(kind: str) -> Exists:
    return exists().where(LicenceNotice.screening_id == Screening.id, LicenceNotice.kind == kind)


def notify(session: Session, screening_id: str, day: date) -> int:
    """Record the notice now due of one licence and write its event; 1 when one was sent."""
    screening = session.get(Screening, screening_id)
    if (
        screening is None
        or screening.superseded_at is not None
        or screening.licence_valid_until is None
    ):
        return 0
    sent = session.scalars(
        select(LicenceNotice.kind).where(LicenceNotice.screening_id == screening_id)
    ).all()
    kinds = rules.notice_due(screening.licence_valid_until, day, sent)
    if not kinds:
        return 0
    kind = kinds[0]
    session.add(LicenceNotice(screening_id=screening_id, kind=kind))
    session.flush()  # the unique (screening, kind): a second tick stops here
    programme = session.get(Programme, screening.programme_id)
    application = (
        session.get(Application, screening.application_id) if screening.application_id else None
    )
    data = event_data(screening, programme, application) | {
        "kind": kind,
        "expires_on": rules.expiry_day(screening.licence_valid_until).isoformat(),
        # A programme's own licence puts it on hold; a person's holds that exchange only.
        "holds": [rules.HOLD_LICENCE_EXPIRED] if kind == "expired" and application is None else [],
    }
    emit(session, EVENTS[kind], data)
    return 1
