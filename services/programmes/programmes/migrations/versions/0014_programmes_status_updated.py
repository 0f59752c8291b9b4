"""programmes indexed by status and last change: a queue of My work, oldest first

``GET /v1/me/work`` and the lists' ``sort=updated_at`` read the programmes of one status
longest unchanged first: with this index a page of them is the first rows that qualify in
index order, not a sort of every programme of the status.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_programmes_status_updated", ["status", "updated_at", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.drop_index("ix_programmes_status_updated")
