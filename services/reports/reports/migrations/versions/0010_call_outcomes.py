"""calls for proposals, the programmes that answer them and their submitted reviews

Revision ID: 0010
Revises: 0009

What call_outcomes counts. Rows made before this revision answer no call.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "calls",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("closes_at", _TIME, nullable=False),
        sa.Column("envelope_jpy", sa.BigInteger(), nullable=False),
        sa.Column("envelope_inr", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_calls_closes_at", "calls", ["closes_at"])
    op.create_table(
        "submitted_reviews",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("call_id", sa.String(36), nullable=False),
        sa.Column("programme_id", sa.String(36), nullable=False),
    )
    op.create_index("ix_submitted_reviews_call_id", "submitted_reviews", ["call_id"])
    op.create_index("ix_submitted_reviews_programme_id", "submitted_reviews", ["programme_id"])
    # In place, as ADD COLUMN: a batch recreation of programmes would drop the rows its
    # partners and budget lines cascade from.
    op.add_column("programmes", sa.Column("call_id", sa.String(36), nullable=True))
    op.add_column("programmes", sa.Column("submitted_at", _TIME, nullable=True))
    op.create_index("ix_programmes_call_id", "programmes", ["call_id"])


def downgrade() -> None:
    op.drop_index("ix_programmes_call_id", "programmes")
    for column in ("submitted_at", "call_id"):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE programmes DROP COLUMN {column}")
        else:
            op.drop_column("programmes", column)
    op.drop_table("submitted_reviews")
    op.drop_table("calls")
