"""dead letters say what failed and what it was about, as in every service's dead-letter store

Revision ID: 0015
Revises: 0014

The dead letters are the contract's store (setu_contract.dead_letters): each says what
failed (``source``: an event's handling, or another task) and the aggregate the event was
about (``subject_id``, which an erasure looks for). Rows written before are given both from
the envelope they keep.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from setu_contract.events import InvalidEvent, aggregate_of

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_letters = sa.table(
    "dead_letters",
    sa.column("id", sa.String),
    sa.column("source", sa.String),
    sa.column("subject_id", sa.String),
    sa.column("payload", sa.JSON),
)


def upgrade() -> None:
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("source", sa.String(length=16), nullable=False, server_default="event")
        )
        batch_op.add_column(sa.Column("subject_id", sa.String(length=36), nullable=True))
        batch_op.create_index("ix_dead_letters_subject_id", ["subject_id"])
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.alter_column("source", server_default=None)
    connection = op.get_bind()
    letters = connection.execute(sa.select(_letters.c.id, _letters.c.payload)).all()
    for letter_id, payload in letters:
        args = (payload or {}).get("args")
        envelope = args[0] if isinstance(args, list) and args else None
        if isinstance(envelope, dict):
            values = {"source": "event", "subject_id": _subject(envelope)}
        else:
            values = {"source": "task"}
        connection.execute(sa.update(_letters).where(_letters.c.id == letter_id).values(**values))


def _subject(envelope: dict[str, Any]) -> str | None:
    try:
        return str(aggregate_of(envelope)[1])[:36]
    except (InvalidEvent, KeyError, TypeError, ValueError):
        return None


def downgrade() -> None:
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.drop_index("ix_dead_letters_subject_id")
        batch_op.drop_column("subject_id")
        batch_op.drop_column("source")
