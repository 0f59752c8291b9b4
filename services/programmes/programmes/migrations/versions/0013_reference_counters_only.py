"""reference numbers from reference_counters alone: PostgreSQL's per-series sequences folded in

Each series counts in its row of ``reference_counters`` on both databases
(services.references). On PostgreSQL a series had its own SEQUENCE (``reference_tex_2027``),
made by the first request that used it; each one's last number goes into its series' row,
and the sequence is dropped. Run with the services stopped, as every migration here is.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_PREFIX = "reference_"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    names = bind.scalars(
        sa.text(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()"
            " AND sequencename ~ '^reference_[a-z]{3}_[0-9]{4}$'"
        )
    ).all()
    for name in names:
        series = name.removeprefix(_PREFIX).upper().replace("_", "-")
        retired = f"{name}_folded"
        # Renamed first: the rename's lock waits for any transaction that took a number from
        # it, and no number is taken from it after its last is read.
        op.execute(f"ALTER SEQUENCE {name} RENAME TO {retired}")
        last, called = bind.execute(sa.text(f"SELECT last_value, is_called FROM {retired}")).one()
        handed = last if called else last - 1
        bind.execute(
            sa.text(
                "INSERT INTO reference_counters (series, value) VALUES (:series, :value)"
                " ON CONFLICT (series) DO UPDATE"
                " SET value = GREATEST(reference_counters.value, excluded.value)"
            ),
            {"series": series, "value": handed},
        )
        op.execute(f"DROP SEQUENCE {retired}")


def downgrade() -> None:
    # Nothing to undo: the code of 0012 makes a series' sequence the first time it uses the
    # series, starting after the series' row here, which holds every number handed out.
    pass
