"""people, their sign-in links and sessions; who acted, by name, on every decision

Revision ID: 0008
Revises: 0007

Rows written before people existed were made by keys: their ``actor`` stays empty and the
API names the key from ``actor_key_id``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_TIME = sa.DateTime(timezone=True)
_ACTOR_COLUMNS = {
    "programme_transitions": ("actor",),
    "application_transitions": ("actor",),
    "programme_approvals": ("actor",),
    "programme_partners": ("answered_by",),
    "applications": ("personal_data_erased_by",),
}


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("organisation_id", sa.String(36), sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("name", sa.String(200)),
        sa.Column("email", sa.String(320)),
        sa.Column("email_key", sa.String(320), unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("totp_secret", sa.String(64)),
        sa.Column("totp_enrolled_at", _TIME),
        sa.Column("totp_last_step", sa.Integer()),
        sa.Column("recovery_codes", sa.JSON()),
        sa.Column("failed_codes", sa.Integer(), nullable=False),
        sa.Column("locked_until", _TIME),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.Column("deactivated_at", _TIME),
    )
    op.create_index("ix_people_organisation_id", "people", ["organisation_id"])
    op.create_table(
        "sign_in_links",
        sa.Column("id", sa.String(36), primary_key=True),
        # No foreign key: a link for nobody is written too (with no person), and a link for a
        # person must cost what it costs for nobody — a key check would tell them apart by
        # its time (tests/integration/programmes/test_programmes_sign_in_timing.py).
        sa.Column("person_id", sa.String(36)),
        sa.Column("next", sa.String(500)),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("expires_at", _TIME, nullable=False),
        sa.Column("used_at", _TIME),
    )
    op.create_index(
        "ix_sign_in_links_person_created", "sign_in_links", ["person_id", "created_at"]
    )
    op.create_table(
        "person_sessions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "person_id",
            sa.String(36),
            sa.ForeignKey("people.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("idle_expires_at", _TIME, nullable=False),
        sa.Column("expires_at", _TIME, nullable=False),
        sa.Column("ended_at", _TIME),
    )
    op.create_index("ix_person_sessions_person_id", "person_sessions", ["person_id"])
    for table, columns in _ACTOR_COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.add_column(sa.Column(column, sa.JSON()))
    with op.batch_alter_table("programme_approvals") as batch:
        batch.add_column(sa.Column("comment", sa.Text()))


def downgrade() -> None:
    with op.batch_alter_table("programme_approvals") as batch:
        batch.drop_column("comment")
    for table, columns in _ACTOR_COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.drop_column(column)
    op.drop_table("person_sessions")
    op.drop_table("sign_in_links")
    op.drop_table("people")
