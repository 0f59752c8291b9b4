"""exchanges' actual arrival and departure dates (mobility.item_updated), for exchange_flows

Revision ID: 0013
Revises: 0012

Columns added in place, nullable: an exchange before this revision has no actual dates.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("applications", sa.Column("actual_arrival", sa.Date, nullable=True))
    op.add_column("applications", sa.Column("actual_departure", sa.Date, nullable=True))
    # When the checklist last changed as the applied event says: an older event changes
    # nothing (events may arrive in any order).
    op.add_column(
        "applications", sa.Column("mobility_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index("ix_applications_actual_arrival", "applications", ["actual_arrival"])
    op.create_index("ix_applications_actual_departure", "applications", ["actual_departure"])


def downgrade() -> None:
    op.drop_index("ix_applications_actual_departure", "applications")
    op.drop_index("ix_applications_actual_arrival", "applications")
    op.drop_column("applications", "mobility_at")
    op.drop_column("applications", "actual_departure")
    op.drop_column("applications", "actual_arrival")
