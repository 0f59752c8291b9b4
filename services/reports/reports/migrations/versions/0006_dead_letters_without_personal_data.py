"""dead letters without personal data

Revision ID: 0006
Revises: 0005

The reports service is sent applications' events without their personal data (the relay
keeps it for the consumers that write to applicants): the dead letters kept before hold it
in the envelope they failed with. It is taken out here; re-queueing them works as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from setu_contract.personal_data import without_personal_data

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_letters = sa.table(
    "dead_letters",
    sa.column("id", sa.String),
    sa.column("event_type", sa.String),
    sa.column("payload", sa.JSON),
)


def upgrade() -> None:
    connection = op.get_bind()
    letters = connection.execute(
        sa.select(_letters.c.id, _letters.c.payload).where(
            _letters.c.event_type.like("application.%")
        )
    ).all()
    for letter_id, payload in letters:
        args = (payload or {}).get("args") or []
        if args and isinstance(args[0], dict) and without_personal_data(args[0]) is not args[0]:
            erased = {**payload, "args": [without_personal_data(args[0]), *args[1:]]}
            connection.execute(
                sa.update(_letters).where(_letters.c.id == letter_id).values(payload=erased)
            )


def downgrade() -> None:
    """Nothing to undo: the personal data is gone for good."""
