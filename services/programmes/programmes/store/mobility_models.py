"""SQLAlchemy models of mobility clearance: the checklist items of accepted exchanges and the
reminders sent about them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from programmes.store.models import Base, utcnow
from setu_contract.database import UtcDateTime

_ID = String(36)


class MobilityItem(Base):
    """One item of an exchange's checklist as last set (an item never set is pending)."""

    __tablename__ = "mobility_items"
    __table_args__ = (UniqueConstraint("application_id", "item", name="uq_mobility_item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    item: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    date: Mapped[date | None] = mapped_column(Date)
    set_by_organisation_id: Mapped[str] = mapped_column(_ID)
    set_by_key_id: Mapped[str] = mapped_column(_ID)
    # The person (or the key, by name) who set it: services.actors.
    set_by: Mapped[dict | None] = mapped_column(JSON)
    set_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)


class MobilityReminder(Base):
    """The reminder of an exchange whose documents were not applied for 120 days before its
    start: one per exchange (the unique key stops a second clock's)."""

    __tablename__ = "mobility_reminders"
    __table_args__ = (UniqueConstraint("application_id", name="uq_mobility_reminder"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    items: Mapped[list] = mapped_column(JSON)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
