"""who erased an application's personal data; what earlier erasures left in the history,
the event log and stored answers is erased too

Revision ID: 0005
Revises: 0004

An erasure emptied the application row only: its transitions' comments, its events in the
outbox (which GET /v1/events serves) and the stored answer to the POST that filed it kept
the applicant. This erases them for every application erased before, as an erasure now does.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from setu_contract.personal_data import erased_data, without_personal_data

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_applications = sa.table(
    "applications", sa.column("id", sa.String), sa.column("personal_data_erased_at")
)
_transitions = sa.table(
    "application_transitions", sa.column("application_id", sa.String), sa.column("comment")
)
_outbox = sa.table(
    "outbox",
    sa.column("position", sa.Integer),
    sa.column("aggregate_type", sa.String),
    sa.column("aggregate_id", sa.String),
    sa.column("payload", sa.JSON),
)
_answers = sa.table(
    "idempotency_records",
    sa.column("id", sa.Integer),
    sa.column("method_path", sa.String),
    sa.column("response", sa.JSON),
)


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(
            sa.Column("personal_data_erased_by_organisation_id", sa.String(36), nullable=True)
        )
        batch.add_column(sa.Column("personal_data_erased_by_key_id", sa.String(36), nullable=True))
    connection = op.get_bind()
    erased = set(
        connection.scalars(
            sa.select(_applications.c.id).where(
                _applications.c.personal_data_erased_at.is_not(None)
            )
        )
    )
    if not erased:
        return
    connection.execute(
        sa.update(_transitions)
        .where(_transitions.c.application_id.in_(erased))
        .values(comment=None)
    )
    events = connection.execute(
        sa.select(_outbox.c.position, _outbox.c.payload).where(
            _outbox.c.aggregate_type == "application", _outbox.c.aggregate_id.in_(erased)
        )
    ).all()
    for position, payload in events:
        if without_personal_data(payload) is not payload:
            connection.execute(
                sa.update(_outbox)
                .where(_outbox.c.position == position)
                .values(payload=without_personal_data(payload))
            )
    answers = connection.execute(
        sa.select(_answers.c.id, _answers.c.response).where(
            _answers.c.method_path == "POST /v1/applications"
        )
    ).all()
    for record_id, response in answers:
        if isinstance(response, dict) and response.get("id") in erased:
            connection.execute(
                sa.update(_answers)
                .where(_answers.c.id == record_id)
                .values(response=erased_data(response))
            )


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("personal_data_erased_by_key_id")
        batch.drop_column("personal_data_erased_by_organisation_id")
