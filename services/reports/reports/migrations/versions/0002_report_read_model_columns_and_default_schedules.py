"""Columns that keep report queries portable, and the two default schedules (docs/reports.md).

Revision ID: 0002
Revises: 0001
"""

import os
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Fixed ids: the defaults are the same schedules in every installation.
PORTFOLIO_WEEKLY = "00000000-0000-5000-8000-000000000001"
EXCHANGE_FLOWS_MONTHLY = "00000000-0000-5000-8000-000000000002"


def upgrade() -> None:
    with op.batch_alter_table("programmes") as batch:
        batch.add_column(sa.Column("approved_month", sa.String(length=7), nullable=True))
    with op.batch_alter_table("applications") as batch:
        batch.add_column(
            sa.Column("duration_days", sa.Integer(), nullable=False, server_default="0")
        )
    schedules = sa.table(
        "report_schedules",
        sa.column("id", sa.String),
        sa.column("type", sa.String),
        sa.column("format", sa.String),
        sa.column("cron", sa.String),
        sa.column("timezone", sa.String),
        sa.column("recipients", sa.JSON),
        sa.column("enabled", sa.Boolean),
        sa.column("version", sa.Integer),
        sa.column("next_due_at", sa.DateTime(timezone=True)),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    now = datetime.now(UTC)
    recipients = [os.environ.get("SECRETARIAT_EMAIL") or "secretariat@setu.local"]
    common = {"format": "pdf", "recipients": recipients, "enabled": True, "version": 1,
              "next_due_at": None, "created_at": now, "updated_at": now}
    op.bulk_insert(
        schedules,
        [
            {"id": PORTFOLIO_WEEKLY, "type": "programme_portfolio", "cron": "0 9 * * 1",
             "timezone": "Asia/Tokyo", **common},
            {"id": EXCHANGE_FLOWS_MONTHLY, "type": "exchange_flows", "cron": "0 9 1 * *",
             "timezone": "Asia/Kolkata", **common},
        ],
    )


def downgrade() -> None:
    op.execute(
        sa.text("DELETE FROM report_schedules WHERE id IN (:a, :b)").bindparams(
            a=PORTFOLIO_WEEKLY, b=EXCHANGE_FLOWS_MONTHLY
        )
    )
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("duration_days")
    with op.batch_alter_table("programmes") as batch:
        batch.drop_column("approved_month")
