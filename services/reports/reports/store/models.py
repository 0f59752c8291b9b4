"""The reports service's tables: the read model, report jobs, schedules and the outbox.

The read model (organisations, programmes with partners and budget lines, applications) is
built only from events. Budget amounts are kept in minor units (whole yen, paise) as
integers so that sums are exact on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from setu_contract.database import UtcDateTime
from setu_contract.dead_letters import dead_letters_table
from setu_contract.deliveries import deliveries_table
from setu_contract.idempotency import idempotency_table
from setu_contract.outbox import outbox_table


class Base(DeclarativeBase):
    pass


outbox = outbox_table(Base.metadata)
# What notifications has not confirmed yet of the events in the outbox.
outbox_deliveries = deliveries_table(Base.metadata)
# The first answer to a creating POST with an Idempotency-Key, per caller.
idempotency_records = idempotency_table(Base.metadata)
# Events whose handling failed for good (retries exhausted, or an error that is not retried),
# each with its envelope (payload {"args": [...]} as the task received them), for an operator
# to list and re-queue (cli).
dead_letters = dead_letters_table(Base.metadata)


class ProcessedEvent(Base):
    """An event applied once: a redelivered copy finds its id here and is skipped."""

    __tablename__ = "processed_events"
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    processed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Organisation(Base):
    __tablename__ = "organisations"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    kind: Mapped[str] = mapped_column(String(40))
    # Where reports may be emailed (services/recipients.py), as the organisation's events say.
    contact_email: Mapped[str | None] = mapped_column(String(320), index=True)
    version: Mapped[int] = mapped_column(Integer)


class Programme(Base):
    __tablename__ = "programmes"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    focus_area: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(40))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    exchange_slots: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # When the programme first became approved (from programme.status_changed events).
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    # approved_at's UTC month, "YYYY-MM": budget commitments group by it on any database.
    approved_month: Mapped[str | None] = mapped_column(String(7))
    # The call for proposals it answers, and when it was first submitted (call_outcomes).
    call_id: Mapped[str | None] = mapped_column(String(36), index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Call(Base):
    """A call for proposals, from call.* events; its envelope in minor units."""

    __tablename__ = "calls"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    closes_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    envelope_jpy: Mapped[int] = mapped_column(BigInteger)
    envelope_inr: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer)


class SubmittedReview(Base):
    """A review submitted for a proposal (review.submitted, without its reviewer)."""

    __tablename__ = "submitted_reviews"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(36), index=True)
    programme_id: Mapped[str] = mapped_column(String(36), index=True)


class Screening(Base):
    """A side's export-control screening of a programme or of an exchange's person
    (screening.recorded, without its notes or who recorded it). The current one of a subject
    and side is its latest, however the events arrived (compliance)."""

    __tablename__ = "screenings"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    programme_id: Mapped[str] = mapped_column(String(36), index=True)
    application_id: Mapped[str | None] = mapped_column(String(36))
    jurisdiction: Mapped[str] = mapped_column(String(2))
    outcome: Mapped[str] = mapped_column(String(24))
    licence_number: Mapped[str | None] = mapped_column(String(100))
    licence_authority: Mapped[str | None] = mapped_column(String(8))
    licence_valid_until: Mapped[date | None] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class ProgrammePartner(Base):
    __tablename__ = "programme_partners"
    programme_id: Mapped[str] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[str] = mapped_column(String(36), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(10))
    country: Mapped[str | None] = mapped_column(String(2))


class BudgetLine(Base):
    __tablename__ = "programme_budget_lines"
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    organisation_id: Mapped[str] = mapped_column(String(36))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)


# Lookups by programme, and the sums per currency of a period's programmes from the index alone.
Index(
    "ix_programme_budget_lines_programme_sums",
    BudgetLine.programme_id,
    BudgetLine.currency,
    BudgetLine.amount_minor,
)


class Application(Base):
    __tablename__ = "applications"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(String(40))
    programme_id: Mapped[str] = mapped_column(String(36), index=True)
    career_stage: Mapped[str] = mapped_column(String(30))
    home_organisation_id: Mapped[str] = mapped_column(String(36), index=True)
    host_organisation_id: Mapped[str] = mapped_column(String(36), index=True)
    direction: Mapped[str] = mapped_column(String(10))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    duration_days: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(30))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # The first time the application reached each milestone (from status_changed events).
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    endorsed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    rejected_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    # The exchange's actual dates, from its mobility checklist (mobility.item_updated), and
    # when the checklist last changed as far as applied events say.
    actual_arrival: Mapped[date | None] = mapped_column(Date, index=True)
    actual_departure: Mapped[date | None] = mapped_column(Date, index=True)
    mobility_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ReportJob(Base):
    __tablename__ = "report_jobs"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    format: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    filters: Mapped[dict] = mapped_column(JSON, default=dict)
    recipients: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), index=True)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    path: Mapped[str | None] = mapped_column(String(500))
    error: Mapped[str | None] = mapped_column(Text)
    correlation_id: Mapped[str] = mapped_column(String(200))
    requested_by: Mapped[str | None] = mapped_column(String(36))
    schedule_id: Mapped[str | None] = mapped_column(String(36), index=True)
    # The language of its html and pdf (en, ja, hi); csv and json are the same in any.
    language: Mapped[str] = mapped_column(String(8), default="en")
    # Its signed download links carry this number: DELETE .../links moves it on, and a link
    # with an earlier number answers 404.
    link_generation: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    enqueued_at: Mapped[datetime] = mapped_column(UtcDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ReportSchedule(Base):
    __tablename__ = "report_schedules"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    format: Mapped[str] = mapped_column(String(10))
    cron: Mapped[str] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64))
    recipients: Mapped[list] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(8), default="en")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The due time (UTC) from which the next tick looks for due times.
    next_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ScheduleRun(Base):
    """One firing of a schedule for one due time: the unique key makes it happen once."""

    __tablename__ = "schedule_runs"
    __table_args__ = (UniqueConstraint("schedule_id", "due_at", name="uq_schedule_runs_due"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    schedule_id: Mapped[str] = mapped_column(
        ForeignKey("report_schedules.id", ondelete="CASCADE"), index=True
    )
    due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    fired_at: Mapped[datetime] = mapped_column(UtcDateTime())
    report_id: Mapped[str | None] = mapped_column(String(36))


Index("ix_report_jobs_status_enqueued", ReportJob.status, ReportJob.enqueued_at)
