"""calls for proposals, the programmes that answer them, reviewers' assignments and reviews

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_TIME = sa.DateTime(timezone=True)


def _id(name: str = "id", *args, **kwargs) -> sa.Column:
    return sa.Column(name, sa.String(36), *args, **kwargs)


def upgrade() -> None:
    op.create_table(
        "calls",
        _id(primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("focus_areas", sa.JSON, nullable=False),
        sa.Column("opens_at", _TIME, nullable=False),
        sa.Column("closes_at", _TIME, nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("budget_envelope", sa.JSON, nullable=False),
        sa.Column("max_budget_per_programme", sa.JSON),
        sa.Column("eligibility", sa.JSON, nullable=False),
        sa.Column("review", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _id("created_by_organisation_id", sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
    )
    op.create_index("ix_calls_created", "calls", ["created_at", "id"])
    op.create_index("ix_calls_status", "calls", ["status"])
    op.create_index("ix_calls_closes_at", "calls", ["closes_at"])
    op.create_table(
        "call_reminders",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _id("call_id", sa.ForeignKey("calls.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("sent", sa.Boolean, nullable=False),
        sa.Column("recorded_at", _TIME, nullable=False),
        sa.UniqueConstraint("call_id", "kind", name="uq_call_reminder"),
    )
    # A column added (and dropped) in place, without a foreign key: on SQLite a key needs the
    # table recreated, and dropping programmes would empty the tables that cascade from it.
    # The service checks that the call exists when it sets the column.
    op.add_column("programmes", _id("call_id", nullable=True))
    op.create_index("ix_programmes_call_id", "programmes", ["call_id"])
    op.create_table(
        "review_assignments",
        _id(primary_key=True),
        _id("programme_id", sa.ForeignKey("programmes.id"), nullable=False),
        _id("call_id", sa.ForeignKey("calls.id"), nullable=False),
        _id("reviewer_person_id", sa.ForeignKey("people.id"), nullable=False),
        _id("reviewer_organisation_id", sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("due_at", _TIME, nullable=False),
        sa.Column("assigned_by", sa.JSON, nullable=False),
        sa.Column("declaration", sa.String(16)),
        sa.Column("conflict_reason", sa.Text),
        sa.Column("declared_at", _TIME),
        sa.Column("scores", sa.JSON),
        sa.Column("weighted_score", sa.String(32)),
        sa.Column("submitted_at", _TIME),
        sa.Column("reminded_at", _TIME),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.UniqueConstraint("programme_id", "reviewer_person_id", name="uq_review_assignment"),
    )
    op.create_index("ix_review_assignments_programme_id", "review_assignments", ["programme_id"])
    op.create_index("ix_review_assignments_call_id", "review_assignments", ["call_id"])
    op.create_index(
        "ix_review_assignments_reviewer",
        "review_assignments",
        ["reviewer_person_id", "created_at"],
    )


def downgrade() -> None:
    op.drop_table("review_assignments")
    op.drop_index("ix_programmes_call_id", "programmes")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE programmes DROP COLUMN call_id")
    else:
        op.drop_column("programmes", "call_id")
    op.drop_table("call_reminders")
    op.drop_table("calls")
