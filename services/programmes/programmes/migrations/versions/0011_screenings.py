"""export-control screenings of programmes and of exchanges' people, licence notices, and
the programme's technology transfer, screened sides and earliest licence expiry

Revision ID: 0011
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None

_TIME = sa.DateTime(timezone=True)
_COLUMNS = ("technology_transfer", "screened_sides", "licence_expires_on")


def _id(name: str = "id", *args, **kwargs) -> sa.Column:
    return sa.Column(name, sa.String(36), *args, **kwargs)


def upgrade() -> None:
    # Added in place, as 0009 added call_id: nullable columns, no table recreated.
    op.add_column("programmes", sa.Column("technology_transfer", sa.JSON, nullable=True))
    op.add_column("programmes", sa.Column("screened_sides", sa.JSON, nullable=True))
    op.add_column("programmes", sa.Column("licence_expires_on", sa.Date, nullable=True))
    op.create_table(
        "screenings",
        _id(primary_key=True),
        _id("programme_id", sa.ForeignKey("programmes.id"), nullable=False),
        _id("application_id", sa.ForeignKey("applications.id"), nullable=True),
        sa.Column("jurisdiction", sa.String(2), nullable=False),
        sa.Column("regime", sa.String(8), nullable=False),
        sa.Column("classification", sa.String(100), nullable=False),
        sa.Column("basis", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(24), nullable=False),
        sa.Column("licence_number", sa.String(100)),
        sa.Column("licence_authority", sa.String(8)),
        sa.Column("licence_valid_until", sa.Date),
        sa.Column("notes", sa.Text),
        _id("recorded_by_organisation_id", sa.ForeignKey("organisations.id"), nullable=False),
        _id("recorded_by_key_id", nullable=False),
        sa.Column("recorded_by", sa.JSON),
        sa.Column("recorded_at", _TIME, nullable=False),
        sa.Column("superseded_at", _TIME),
        _id("superseded_by_id"),
    )
    op.create_index("ix_screenings_programme", "screenings", ["programme_id", "recorded_at"])
    op.create_index("ix_screenings_application", "screenings", ["application_id", "recorded_at"])
    op.create_index("ix_screenings_licence", "screenings", ["licence_valid_until"])
    op.create_table(
        "licence_notices",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _id("screening_id", sa.ForeignKey("screenings.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("recorded_at", _TIME, nullable=False),
        sa.UniqueConstraint("screening_id", "kind", name="uq_licence_notice"),
    )


def downgrade() -> None:
    op.drop_table("licence_notices")
    op.drop_table("screenings")
    for column in reversed(_COLUMNS):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE programmes DROP COLUMN {column}")
        else:
            op.drop_column("programmes", column)
