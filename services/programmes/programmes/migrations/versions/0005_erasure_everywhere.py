"""who erased an application's personal data; what earlier erasures left is erased too

Revision ID: 0005
Revises: 0004

An erasure emptied the application row only: its transitions' comments, its events in the
outbox (which GET /v1/events serves) and the stored answer to the POST that filed it kept
the applicant, and its event named no organisation, so no consumer could tell a partner.
For every application erased before, this erases them as an erasure now does, and writes
``application.personal_data_erased`` again with the home and host organisations, so that
every consumer erases its copies and the partners' webhooks are told.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from setu_contract.events import EventType, aggregate_of, build_event
from setu_contract.outbox import outbox_table
from setu_contract.personal_data import erased_data, without_personal_data

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_applications = sa.table(
    "applications",
    sa.column("id", sa.String),
    sa.column("reference", sa.String),
    sa.column("home_organisation_id", sa.String),
    sa.column("host_organisation_id", sa.String),
    sa.column("version", sa.Integer),
    sa.column("personal_data_erased_at", sa.DateTime(timezone=True)),
)
_transitions = sa.table(
    "application_transitions", sa.column("application_id", sa.String), sa.column("comment")
)
_outbox = outbox_table(sa.MetaData())
_answers = sa.table(
    "idempotency_records",
    sa.column("id", sa.Integer),
    sa.column("method_path", sa.String),
    sa.column("response", sa.JSON),
)


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(
            sa.Column("personal_data_erased_by_organisation_id", sa.String(36), nullable=True)
        )
        batch.add_column(sa.Column("personal_data_erased_by_key_id", sa.String(36), nullable=True))
    connection = op.get_bind()
    erased = connection.execute(
        sa.select(_applications).where(_applications.c.personal_data_erased_at.is_not(None))
    ).all()
    if not erased:
        return
    _erase_copies(connection, {row.id for row in erased})
    for row in erased:
        _tell_again(connection, row)


def _erase_copies(connection: sa.Connection, erased: set[str]) -> None:
    connection.execute(
        sa.update(_transitions)
        .where(_transitions.c.application_id.in_(erased))
        .values(comment=None)
    )
    events = connection.execute(
        sa.select(_outbox.c.position, _outbox.c.payload).where(
            _outbox.c.aggregate_type == "application", _outbox.c.aggregate_id.in_(erased)
        )
    ).all()
    for position, payload in events:
        if without_personal_data(payload) is not payload:
            connection.execute(
                sa.update(_outbox)
                .where(_outbox.c.position == position)
                .values(payload=without_personal_data(payload))
            )
    answers = connection.execute(
        sa.select(_answers.c.id, _answers.c.response).where(
            _answers.c.method_path == "POST /v1/applications"
        )
    ).all()
    for record_id, response in answers:
        if isinstance(response, dict) and response.get("id") in erased:
            connection.execute(
                sa.update(_answers)
                .where(_answers.c.id == record_id)
                .values(response=erased_data(response))
            )


def _tell_again(connection: sa.Connection, row: sa.Row) -> None:
    erased_at: datetime = row.personal_data_erased_at
    if erased_at.tzinfo is None:  # SQLite keeps naive UTC
        erased_at = erased_at.replace(tzinfo=UTC)
    envelope = build_event(
        EventType.APPLICATION_PERSONAL_DATA_ERASED,
        {
            "id": row.id,
            "version": row.version,
            "reference": row.reference,
            "home_organisation_id": row.home_organisation_id,
            "host_organisation_id": row.host_organisation_id,
            "erased_at": erased_at.isoformat(),
            "actor_organisation_id": None,
        },
        producer="programmes",
        correlation_id="migration-0005",
    )
    aggregate_type, aggregate_id, version = aggregate_of(envelope)
    connection.execute(
        sa.insert(_outbox).values(
            event_id=envelope["id"],
            type=envelope["type"],
            aggregate_type=aggregate_type,
            aggregate_id=aggregate_id,
            aggregate_version=version,
            occurred_at=datetime.fromisoformat(envelope["occurred_at"]),
            correlation_id=envelope["correlation_id"],
            payload=envelope,
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("personal_data_erased_by_key_id")
        batch.drop_column("personal_data_erased_by_organisation_id")
