"""each partner's answer to being named in a programme

Revision ID: 0006
Revises: 0005

An organisation named as a partner by another confirms or declines its participation, and a
programme is submitted only once every partner has confirmed. Existing rows: the creating
organisation is confirmed (it proposed the programme); the other partners of a programme
still being prepared (draft, changes_requested) are pending, and must answer before it is
submitted again; the partners of a programme already past submission are taken as
confirmed (they took part before answers existed; their ``answered_at`` stays empty).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("programme_partners") as batch:
        batch.add_column(
            sa.Column("participation", sa.String(16), nullable=False, server_default="pending")
        )
        batch.add_column(sa.Column("answered_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("answered_by_key_id", sa.String(36)))
    op.execute(
        "UPDATE programme_partners SET participation = 'confirmed' WHERE EXISTS ("
        "SELECT 1 FROM programmes p WHERE p.id = programme_partners.programme_id AND ("
        "p.created_by_organisation_id = programme_partners.organisation_id "
        "OR p.status NOT IN ('draft', 'changes_requested')))"
    )


def downgrade() -> None:
    with op.batch_alter_table("programme_partners") as batch:
        batch.drop_column("answered_by_key_id")
        batch.drop_column("answered_at")
        batch.drop_column("participation")
