"""indexes for the lists: newest first, and a partner's programmes

Revision ID: 0003
Revises: 0002

Lists are ordered by (created_at, id), newest first: with this index a page is read in
order instead of sorting every visible row. A partner's programmes (and their count) are
read from (organisation_id, programme_id) alone, an index-only scan.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_programmes_created", "programmes", ["created_at", "id"])
    op.create_index("ix_applications_created", "applications", ["created_at", "id"])
    op.create_index(
        "ix_programme_partners_organisation",
        "programme_partners",
        ["organisation_id", "programme_id"],
    )
    op.drop_index("ix_programme_partners_organisation_id", table_name="programme_partners")


def downgrade() -> None:
    op.create_index(
        "ix_programme_partners_organisation_id", "programme_partners", ["organisation_id"]
    )
    op.drop_index("ix_programme_partners_organisation", table_name="programme_partners")
    op.drop_index("ix_applications_created", table_name="applications")
    op.drop_index("ix_programmes_created", table_name="programmes")
