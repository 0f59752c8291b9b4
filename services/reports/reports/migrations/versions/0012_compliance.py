"""export-control screenings, for the compliance report

Revision ID: 0012
Revises: 0010

Screenings recorded before this revision are read in by a rebuild from the event log.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screenings",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("programme_id", sa.String(36), nullable=False),
        sa.Column("application_id", sa.String(36)),
        sa.Column("jurisdiction", sa.String(2), nullable=False),
        sa.Column("outcome", sa.String(24), nullable=False),
        sa.Column("licence_number", sa.String(100)),
        sa.Column("licence_authority", sa.String(8)),
        sa.Column("licence_valid_until", sa.Date),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_screenings_programme_id", "screenings", ["programme_id"])
    op.create_index("ix_screenings_recorded_at", "screenings", ["recorded_at"])


def downgrade() -> None:
    op.drop_table("screenings")
