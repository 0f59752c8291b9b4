"""SQLAlchemy 2 models of the programmes service, and its outbox (the event log)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from setu_contract.database import UtcDateTime
from setu_contract.deliveries import deliveries_table
from setu_contract.idempotency import idempotency_table
from setu_contract.outbox import outbox_table
from setu_contract.reclaims import reclaims_table


def new_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


outbox = outbox_table(Base.metadata)
# What each consumer has not confirmed yet of the events in the outbox.
outbox_deliveries = deliveries_table(Base.metadata)
# The first answer to a creating POST with an Idempotency-Key, per caller.
idempotency_records = idempotency_table(Base.metadata)
# Erasures whose freed space is still to be reclaimed.
reclaims_due = reclaims_table(Base.metadata)

_ID = String(36)


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    kind: Mapped[str] = mapped_column(String(32), index=True)
    contact_email: Mapped[str | None] = mapped_column(String(320))
    preferred_language: Mapped[str] = mapped_column(String(8), default="en")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    # SHA-256 of the secret, hex: the secret itself is never stored.
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class Programme(Base):
    __tablename__ = "programmes"
    # Lists read pages newest first in this order (no sort of every visible row); the
    # queues of My work, one status longest unchanged first, in the second.
    __table_args__ = (
        Index("ix_programmes_created", "created_at", "id"),
        Index("ix_programmes_status_updated", "status", "updated_at", "id"),
    )

    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    focus_area: Mapped[str] = mapped_column(String(40), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    exchange_slots: Mapped[int] = mapped_column(Integer, default=0)
    # {"JP_TO_IN": n, "IN_TO_JP": m} adding up to exchange_slots, or None (domain.slots).
    exchange_slots_by_direction: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(24), index=True, default="draft")
    created_by_organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    # The call for proposals the programme answers, if any (store.call_models); no foreign
    # key (migration 0009 says why): services.calls checks the call exists.
    call_id: Mapped[str | None] = mapped_column(_ID, index=True)
    # Export control (store.screening_models, services.screenings): what the partners declare
    # of controlled technology, the sides whose current screening has decided, and the
    # earliest valid_until of the current licences (the hold's date).
    technology_transfer: Mapped[dict | None] = mapped_column(JSON)
    screened_sides: Mapped[list | None] = mapped_column(JSON)
    licence_expires_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    partners: Mapped[list[ProgrammePartner]] = relationship(
        order_by="ProgrammePartner.position", cascade="all, delete-orphan", lazy="selectin"
    )
    budget: Mapped[list[BudgetLine]] = relationship(
        order_by="BudgetLine.position", cascade="all, delete-orphan", lazy="selectin"
    )
    approvals: Mapped[list[ProgrammeApproval]] = relationship(
        order_by="ProgrammeApproval.approved_at", cascade="all, delete-orphan", lazy="selectin"
    )


class ProgrammePartner(Base):
    __tablename__ = "programme_partners"
    # A partner's programmes newest first (a page of them, read backwards) and their count,
    # from this index alone: the programme's creation time, which never changes, is kept
    # on each of its partners' rows.
    __table_args__ = (
        Index(
            "ix_programme_partners_organisation_created",
            "organisation_id",
            "programme_created_at",
            "programme_id",
        ),
    )

    programme_id: Mapped[str] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(8))
    position: Mapped[int] = mapped_column(Integer)
    programme_created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # The organisation's answer to being named (pending, confirmed, declined): the creating
    # organisation is confirmed by proposing; the others answer for themselves.
    participation: Mapped[str] = mapped_column(
        String(16), default="pending", server_default="pending"
    )
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    answered_by_key_id: Mapped[str | None] = mapped_column(_ID)
    answered_by: Mapped[dict | None] = mapped_column(JSON)

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class BudgetLine(Base):
    __tablename__ = "budget_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    programme_id: Mapped[str] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    currency: Mapped[str] = mapped_column(String(3))
    # Exact decimal text (e.g. "25000000.50"): no float ever touches money.
    amount: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer)


class ProgrammeApproval(Base):
    """One secretariat side's approval in the current review round."""

    __tablename__ = "programme_approvals"
    __table_args__ = (UniqueConstraint("programme_id", "side", name="uq_approval_side"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    side: Mapped[str] = mapped_column(String(2))
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    key_id: Mapped[str] = mapped_column(_ID)
    approved_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # Who approved (api.actor) and what they wrote: the approval email quotes both sides.
    actor: Mapped[dict | None] = mapped_column(JSON)
    comment: Mapped[str | None] = mapped_column(Text)


class ProgrammeTransition(Base):
    """The history of a programme: every transition, in order."""

    __tablename__ = "programme_transitions"
    __table_args__ = (Index("ix_programme_transitions_programme", "programme_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    actor_organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    actor_key_id: Mapped[str] = mapped_column(_ID)
    # The person (or the key, by name) who acted: services.actors.
    actor: Mapped[dict | None] = mapped_column(JSON)
    comment: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ReferenceCounter(Base):
    """The last number handed out per reference series (e.g. ``JIP-2027``)."""

    __tablename__ = "reference_counters"

    series: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class Application(Base):
    """A talent-exchange application; the applicant block is personal data, erasable."""

    __tablename__ = "applications"
    __table_args__ = (
        Index("ix_applications_programme_status", "programme_id", "status"),
        Index("ix_applications_created", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.id"))
    applicant_full_name: Mapped[str | None] = mapped_column(String(200))
    applicant_email: Mapped[str | None] = mapped_column(String(320))
    applicant_nationality: Mapped[str | None] = mapped_column(String(2))
    applicant_language: Mapped[str | None] = mapped_column(String(8))
    statement: Mapped[str | None] = mapped_column(Text)
    personal_data_erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    personal_data_erased_by_organisation_id: Mapped[str | None] = mapped_column(_ID)
    personal_data_erased_by_key_id: Mapped[str | None] = mapped_column(_ID)
    personal_data_erased_by: Mapped[dict | None] = mapped_column(JSON)
    career_stage: Mapped[str] = mapped_column(String(16))
    home_organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    host_organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    direction: Mapped[str] = mapped_column(String(8))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    programme: Mapped[Programme] = relationship(lazy="joined")


class ApplicationTransition(Base):
    """The history of an application: every transition, in order."""

    __tablename__ = "application_transitions"
    __table_args__ = (Index("ix_application_transitions_application", "application_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor_organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    actor_key_id: Mapped[str] = mapped_column(_ID)
    actor: Mapped[dict | None] = mapped_column(JSON)
    comment: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Person(Base):
    """A named account of an organisation. Name and address are personal data: emptied when
    the person is deactivated (services.people)."""

    __tablename__ = "people"

    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    # The address as sign-in looks it up (lower case); unique among people not erased.
    email_key: Mapped[str | None] = mapped_column(String(320), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    time_zone: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The time step of the last code accepted: a code is accepted once (RFC 6238, 5.2).
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # SHA-256 hashes of the unused recovery codes.
    recovery_codes: Mapped[list | None] = mapped_column(JSON)
    failed_codes: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    deactivated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    organisation: Mapped[Organisation] = relationship(lazy="joined", innerjoin=True)


class SignInLink(Base):
    """A one-time sign-in link: its id only (setu_contract.sign_in). A request for an
    address that is no person's writes one too, with no person, that nothing can use: both
    answers do the same work."""

    __tablename__ = "sign_in_links"
    __table_args__ = (Index("ix_sign_in_links_person_created", "person_id", "created_at"),)

    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    # No foreign key (migration 0008 says why); a person's links go with the person's row.
    person_id: Mapped[str | None] = mapped_column(String(36))
    next: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class PersonSession(Base):
    """A server-side session: only the SHA-256 of its secret is stored."""

    __tablename__ = "person_sessions"

    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    # active, totp_required or totp_enrolment_required
    state: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    idle_expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


# Calls and reviews live in their own module; imported here so that every user of these
# models (the programmes' call_id names the calls table) has their tables too.
from programmes.store import call_models, mobility_models, screening_models  # noqa: E402, F401
