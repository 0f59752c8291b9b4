"""a partner's programmes newest first, from one index

Revision ID: 0004
Revises: 0003

A partner's list was read by walking every programme newest first and probing
programme_partners for each, the skipped rows of the OFFSET included: for a partner of
100,000 programmes, 500 probes for page 25. Each partner's row now keeps its programme's
creation time (which never changes), and (organisation_id, programme_created_at,
programme_id) gives a partner's page, and its count, from the index alone. It replaces
(organisation_id, programme_id).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("programme_partners") as batch:
        batch.add_column(sa.Column("programme_created_at", sa.DateTime(timezone=True)))
    op.execute(
        "UPDATE programme_partners SET programme_created_at = "
        "(SELECT created_at FROM programmes WHERE programmes.id = programme_partners.programme_id)"
    )
    with op.batch_alter_table("programme_partners") as batch:
        batch.alter_column(
            "programme_created_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch.create_index(
            "ix_programme_partners_organisation_created",
            ["organisation_id", "programme_created_at", "programme_id"],
        )
        batch.drop_index("ix_programme_partners_organisation")


def downgrade() -> None:
    with op.batch_alter_table("programme_partners") as batch:
        batch.create_index(
            "ix_programme_partners_organisation", ["organisation_id", "programme_id"]
        )
        batch.drop_index("ix_programme_partners_organisation_created")
        batch.drop_column("programme_created_at")
