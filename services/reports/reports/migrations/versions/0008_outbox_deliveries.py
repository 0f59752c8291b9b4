"""report.generated events that notifications has not confirmed yet

Revision ID: 0008
Revises: 0007

The relay writes one row per consumer of each event it publishes; the consumer's
confirmation deletes it (applied) or marks it dead-lettered; an event still unconfirmed at
its resend time is published again to that consumer (setu_contract.deliveries). Events
published before this revision have no rows: they count as confirmed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_deliveries",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("consumer", sa.String(length=32), nullable=False),
        sa.Column(
            "position", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resend_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resends", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "consumer"),
    )
    op.create_index("ix_outbox_deliveries_due", "outbox_deliveries", ["state", "resend_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_deliveries_due", table_name="outbox_deliveries")
    op.drop_table("outbox_deliveries")
