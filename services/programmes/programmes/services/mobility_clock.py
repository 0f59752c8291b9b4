"""The mobility reminder: the home organisation of an accepted exchange is told, once, when
its Certificate of Eligibility or visa has not been applied for 120 days before the start.

Run by the calls' clock (programmes.clock), which two beats may run at the same moment:
the reminder is a row with a unique key (the exchange) written in the transaction that
writes its event, so the second tick's insert fails and writes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from programmes.domain import mobility as rules
from programmes.services.events import emit
from programmes.services.mobility import KEPT_WHILE
from programmes.store.mobility_models import MobilityItem, MobilityReminder
from programmes.store.models import Application
from setu_contract.events import EventType


def due(session: Session, now: datetime) -> list[str]:
    """The accepted exchanges that start within the reminder's reach and were not reminded."""
    today = now.date()
    reminded = select(MobilityReminder.application_id)
    return list(
        session.scalars(
            select(Application.id).where(
                Application.status.in_(KEPT_WHILE),
                Application.start_date > today,
                Application.start_date <= today + rules.REMINDER_BEFORE,
                Application.id.not_in(reminded),
            )
        )
    )


def remind(session: Session, application_id: str, now: datetime) -> int:
    """Record and send the exchange's reminder if its documents are still not applied for;
    1 when sent. A reminder not needed (applied for in time) is not recorded: nothing to do."""
    application = session.get(Application, application_id)
    if application is None or application.status not in KEPT_WHILE:
        return 0
    rows = session.execute(
        select(MobilityItem.item, MobilityItem.status).where(
            MobilityItem.application_id == application_id
        )
    )
    statuses = {row.item: row.status for row in rows}
    missing = rules.reminder_due(
        application.direction, application.start_date, statuses, now.date()
    )
    if not missing:
        return 0
    session.add(
        MobilityReminder(application_id=application_id, items=list(missing), recorded_at=now)
    )
    session.flush()  # the unique exchange: a second tick stops here
    emit(session, EventType.MOBILITY_REMINDER, _data(application, statuses, missing))
    return 1


def _data(
    application: Application, statuses: dict[str, str], missing: tuple[str, ...]
) -> dict[str, Any]:
    return {
        "id": application.id,
        "reference": application.reference,
        "programme_id": application.programme_id,
        "home_organisation_id": application.home_organisation_id,
        "host_organisation_id": application.host_organisation_id,
        "direction": application.direction,
        "start_date": application.start_date.isoformat(),
        "end_date": application.end_date.isoformat(),
        "stage": rules.stage(application.direction, statuses),
        "items": list(missing),
    }
