"""erased subjects; what each dead letter is about

Revision ID: 0005
Revises: 0004

An erasure now finds the dead letters about the application it erases by their subject:
the one of the delivery, of the webhook delivery or of the event that failed. Rows written
before are given theirs here.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from setu_contract.events import InvalidEvent, aggregate_of

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_letters = sa.table(
    "dead_letters",
    sa.column("id", sa.String),
    sa.column("source", sa.String),
    sa.column("delivery_id", sa.String),
    sa.column("subject_id", sa.String),
    sa.column("payload", sa.JSON),
)
_deliveries = sa.table("deliveries", sa.column("id", sa.String), sa.column("subject_id"))
_webhooks = sa.table("webhook_deliveries", sa.column("id", sa.String), sa.column("subject_id"))


def upgrade() -> None:
    op.create_table(
        "erased_subjects",
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject_id"),
    )
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_id", sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f("ix_dead_letters_subject_id"), ["subject_id"])
    connection = op.get_bind()
    connection.execute(
        sa.update(_letters)
        .where(_letters.c.source == "delivery")
        .values(
            subject_id=sa.select(_deliveries.c.subject_id)
            .where(_deliveries.c.id == _letters.c.delivery_id)
            .scalar_subquery()
        )
    )
    others = connection.execute(
        sa.select(_letters.c.id, _letters.c.source, _letters.c.payload).where(
            _letters.c.source.in_(("event", "webhook"))
        )
    ).all()
    for letter_id, source, payload in others:
        subject_id = _subject(connection, source, (payload or {}).get("args") or [])
        if subject_id:
            connection.execute(
                sa.update(_letters).where(_letters.c.id == letter_id).values(subject_id=subject_id)
            )


def _subject(connection: sa.Connection, source: str, args: list[Any]) -> str | None:
    if not args:
        return None
    if source == "webhook":
        query = sa.select(_webhooks.c.subject_id).where(_webhooks.c.id == str(args[0]))
        return connection.scalar(query)
    try:
        return aggregate_of(args[0])[1][:36]
    except (InvalidEvent, KeyError, TypeError, ValueError):
        return None


def downgrade() -> None:
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dead_letters_subject_id"))
        batch_op.drop_column("subject_id")
    op.drop_table("erased_subjects")
