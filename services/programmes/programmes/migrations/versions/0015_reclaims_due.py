"""reclaims due: erasures whose freed space is still to be reclaimed (setu_contract.reclaims)

An erasure writes a row in its own transaction; a reclaim that began after its commit and
settled deletes it, so that a reclaim that had to give up is tried again by the service's
periodic work until the erased rows' old versions are gone.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reclaims_due",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tables", sa.Text(), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("reclaims_due")
