"""Who holds a programme's exchange slots, and who is next in line for a freed one."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from programmes.domain import slots
from programmes.store.models import Application, ApplicationTransition


def held(session: Session, programme_id: str, direction: str, other_than: str) -> tuple[int, int]:
    """How many slots applications other than ``other_than`` hold in the programme, and how
    many of them in ``direction``."""
    row = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((Application.direction == direction, 1), else_=0)), 0),
        ).where(
            Application.programme_id == programme_id,
            Application.status.in_(slots.HOLDING),
            Application.id != other_than,
        )
    ).one()
    return int(row[0]), int(row[1])


def next_in_line(session: Session, programme_id: str, direction: str) -> Application | None:
    """The waitlisted application of ``direction`` waitlisted first (locked until commit)."""
    waitlisted_at = (
        select(func.max(ApplicationTransition.id))
        .where(
            ApplicationTransition.application_id == Application.id,
            ApplicationTransition.to_status == "waitlisted",
        )
        .correlate(Application)
        .scalar_subquery()
    )
    return session.scalars(
        select(Application)
        .where(
            Application.programme_id == programme_id,
            Application.direction == direction,
            Application.status == "waitlisted",
        )
        .order_by(waitlisted_at, Application.created_at, Application.id)
        .limit(1)
        .with_for_update(of=Application)
        .execution_options(populate_existing=True)
    ).first()
