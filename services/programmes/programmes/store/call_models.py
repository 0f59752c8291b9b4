"""SQLAlchemy models of calls for proposals and their expert reviews."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from programmes.store.models import Base, new_id, utcnow
from setu_contract.database import UtcDateTime

_ID = String(36)


class Call(Base):
    """A call for proposals. Its times are instants (UTC); ``timezone`` is how they were
    given and are shown."""

    __tablename__ = "calls"
    __table_args__ = (Index("ix_calls_created", "created_at", "id"),)

    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    focus_areas: Mapped[list] = mapped_column(JSON)
    opens_at: Mapped[datetime] = mapped_column(UtcDateTime())
    closes_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    timezone: Mapped[str] = mapped_column(String(64))
    # Amounts as exact decimal text per currency, as budget lines keep them.
    budget_envelope: Mapped[dict] = mapped_column(JSON)
    max_budget_per_programme: Mapped[dict | None] = mapped_column(JSON)
    eligibility: Mapped[dict] = mapped_column(JSON)
    review: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), index=True, default="draft")
    created_by_organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class CallReminder(Base):
    """A reminder before a call closes, recorded once: a second beat's tick for the same
    reminder fails on the key and sends nothing."""

    __tablename__ = "call_reminders"
    __table_args__ = (UniqueConstraint("call_id", "kind", name="uq_call_reminder"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    sent: Mapped[bool] = mapped_column(default=True)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ReviewAssignment(Base):
    """A reviewer assigned to a proposal: the declaration, then the review, once."""

    __tablename__ = "review_assignments"
    __table_args__ = (
        UniqueConstraint("programme_id", "reviewer_person_id", name="uq_review_assignment"),
        Index("ix_review_assignments_reviewer", "reviewer_person_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.id"), index=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id"), index=True)
    reviewer_person_id: Mapped[str] = mapped_column(ForeignKey("people.id"))
    reviewer_organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    status: Mapped[str] = mapped_column(String(16), default="declaration_due")
    due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    assigned_by: Mapped[dict] = mapped_column(JSON)
    declaration: Mapped[str | None] = mapped_column(String(16))
    conflict_reason: Mapped[str | None] = mapped_column(Text)
    declared_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # {criterion key: {"score": 0-5, "comment"}}; the weighted score as exact decimal text.
    scores: Mapped[dict | None] = mapped_column(JSON)
    weighted_score: Mapped[str | None] = mapped_column(String(32))
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
