"""SQLAlchemy models of export-control screenings (of programmes and of the people of their
exchanges) and of the notices sent before and when a licence expires."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from programmes.store.models import Base, new_id, utcnow
from setu_contract.database import UtcDateTime

_ID = String(36)


class Screening(Base):
    """One side's screening of a programme (``application_id`` empty) or of the person of an
    exchange. A new screening by the same side supersedes the current one, which is kept:
    ``superseded_at`` is set on it, under the programme's row lock."""

    __tablename__ = "screenings"
    __table_args__ = (
        Index("ix_screenings_programme", "programme_id", "recorded_at"),
        Index("ix_screenings_application", "application_id", "recorded_at"),
        Index("ix_screenings_licence", "licence_valid_until"),
    )

    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.id"))
    application_id: Mapped[str | None] = mapped_column(ForeignKey("applications.id"))
    jurisdiction: Mapped[str] = mapped_column(String(2))
    regime: Mapped[str] = mapped_column(String(8))
    classification: Mapped[str] = mapped_column(String(100))
    basis: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(24))
    licence_number: Mapped[str | None] = mapped_column(String(100))
    licence_authority: Mapped[str | None] = mapped_column(String(8))
    licence_valid_until: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_by_organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    recorded_by_key_id: Mapped[str] = mapped_column(_ID)
    recorded_by: Mapped[dict | None] = mapped_column(JSON)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    superseded_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    superseded_by_id: Mapped[str | None] = mapped_column(_ID)


class LicenceNotice(Base):
    """A notice of a licence's expiry (30d before, expired on the day), recorded once: a
    second beat's tick for the same notice fails on the key and sends nothing."""

    __tablename__ = "licence_notices"
    __table_args__ = (UniqueConstraint("screening_id", "kind", name="uq_licence_notice"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    screening_id: Mapped[str] = mapped_column(ForeignKey("screenings.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
