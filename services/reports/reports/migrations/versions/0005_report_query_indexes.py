"""Indexes for reports over short periods (a week's portfolio, a month's commitments or flows).

Each application milestone gets an index like submitted_at's, so that "reached any milestone
in the period" is a BitmapOr of index scans rather than a scan of every application (a
month out of five years at 1M applications: exchange_flows 170 -> 12 ms). The budget lines'
programme_id index becomes (programme_id, currency, amount_minor): the lines of the
programmes in the period are summed from the index alone (budget_commitments: 220 -> 20 ms).
Over a whole year the plans stay sequential scans and hash joins.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

MILESTONES = ("endorsed_at", "accepted_at", "rejected_at", "withdrawn_at")


def upgrade() -> None:
    for column in MILESTONES:
        op.create_index(f"ix_applications_{column}", "applications", [column])
    op.create_index(
        "ix_programme_budget_lines_programme_sums",
        "programme_budget_lines",
        ["programme_id", "currency", "amount_minor"],
    )
    op.drop_index("ix_programme_budget_lines_programme_id", table_name="programme_budget_lines")


def downgrade() -> None:
    op.create_index(
        "ix_programme_budget_lines_programme_id", "programme_budget_lines", ["programme_id"]
    )
    op.drop_index("ix_programme_budget_lines_programme_sums", table_name="programme_budget_lines")
    for column in MILESTONES:
        op.drop_index(f"ix_applications_{column}", table_name="applications")
