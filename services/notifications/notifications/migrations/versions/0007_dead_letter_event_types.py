"""dead letters name their event's type, as in every service's dead-letter store

Revision ID: 0007
Revises: 0006

The dead letters are the contract's store (setu_contract.dead_letters), which keeps the
failed event's type beside its id. The event letters written before are given theirs from
the envelope they keep.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_letters = sa.table(
    "dead_letters",
    sa.column("id", sa.String),
    sa.column("source", sa.String),
    sa.column("event_type", sa.String),
    sa.column("payload", sa.JSON),
)


def upgrade() -> None:
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_type", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    events = connection.execute(
        sa.select(_letters.c.id, _letters.c.payload).where(_letters.c.source == "event")
    ).all()
    for letter_id, payload in events:
        event_type = _type_of((payload or {}).get("args") or [])
        if event_type:
            connection.execute(
                sa.update(_letters).where(_letters.c.id == letter_id).values(event_type=event_type)
            )


def _type_of(args: list[Any]) -> str | None:
    envelope = args[0] if args and isinstance(args[0], dict) else {}
    event_type = envelope.get("type")
    return str(event_type)[:64] if event_type else None


def downgrade() -> None:
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.drop_column("event_type")
