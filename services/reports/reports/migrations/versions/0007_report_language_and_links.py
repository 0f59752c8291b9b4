"""A language on report jobs and schedules (en, ja, hi), and the generation of a report's
signed download links (moved on to revoke them).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report_jobs") as table:
        table.add_column(sa.Column("language", sa.String(8), nullable=False, server_default="en"))
        table.add_column(
            sa.Column("link_generation", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("report_schedules") as table:
        table.add_column(sa.Column("language", sa.String(8), nullable=False, server_default="en"))


def downgrade() -> None:
    with op.batch_alter_table("report_schedules") as table:
        table.drop_column("language")
    with op.batch_alter_table("report_jobs") as table:
        table.drop_column("link_generation")
        table.drop_column("language")
