"""organisations' contact addresses in the read model: the report recipients allowed

Revision ID: 0009
Revises: 0008

A report is emailed only to the secretariat's address or to an organisation's contact
address (PRODUCT.md, *Notifications*); the read model keeps the contact address that
organisation.registered and organisation.updated carry. Rows applied before this revision
have none until their organisation's next event, or a rebuild from the event log
(``reports rebuild``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisations") as table:
        table.add_column(sa.Column("contact_email", sa.String(length=320), nullable=True))
        table.create_index("ix_organisations_contact_email", ["contact_email"])


def downgrade() -> None:
    with op.batch_alter_table("organisations") as table:
        table.drop_index("ix_organisations_contact_email")
        table.drop_column("contact_email")
