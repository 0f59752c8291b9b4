"""mobility clearance: slots by direction, the checklist of accepted exchanges, reminders

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_TIME = sa.DateTime(timezone=True)


def _id(name: str = "id", *args, **kwargs) -> sa.Column:
    return sa.Column(name, sa.String(36), *args, **kwargs)


def upgrade() -> None:
    # Added in place, nullable: no split is every programme's state before this revision.
    op.add_column("programmes", sa.Column("exchange_slots_by_direction", sa.JSON, nullable=True))
    op.create_table(
        "mobility_items",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _id(
            "application_id",
            sa.ForeignKey("applications.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("item", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("date", sa.Date, nullable=True),
        _id("set_by_organisation_id", nullable=False),
        _id("set_by_key_id", nullable=False),
        sa.Column("set_by", sa.JSON, nullable=True),
        sa.Column("set_at", _TIME, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("application_id", "item", name="uq_mobility_item"),
    )
    op.create_table(
        "mobility_reminders",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _id(
            "application_id",
            sa.ForeignKey("applications.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("items", sa.JSON, nullable=False),
        sa.Column("recorded_at", _TIME, nullable=False),
        sa.UniqueConstraint("application_id", name="uq_mobility_reminder"),
    )


def downgrade() -> None:
    op.drop_table("mobility_reminders")
    op.drop_table("mobility_items")
    op.drop_column("programmes", "exchange_slots_by_direction")
