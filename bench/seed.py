"""Seeded data at volume: the reports read model built server-side with generate_series.

One INSERT ... SELECT per table instead of one API call (or one event) per row: a million
programmes with their partners and budget lines take seconds, not hours.
"""

from __future__ import annotations

import psycopg

ORGANISATIONS_PER_SIDE = 100
FOCUS_AREAS = (
    "semiconductor_design",
    "semiconductor_packaging",
    "semiconductor_manufacturing",
    "ai_foundations",
    "ai_applications",
    "ai_safety",
)
STATUSES = (
    "draft",
    "submitted",
    "changes_requested",
    "approved",
    "rejected",
    "active",
    "completed",
    "cancelled",
)

ORGANISATIONS = """
INSERT INTO organisations (id, name, country, kind, version)
SELECT 'org-' || side || '-' || n, side || ' partner ' || n, side, 'university', 1
FROM (VALUES ('JP'), ('IN')) AS sides(side), generate_series(1, %(per_side)s::int) AS n
"""

PROGRAMMES = """
INSERT INTO programmes (id, reference, title, focus_area, status, start_date, end_date,
                        exchange_slots, version, created_at, updated_at)
SELECT 'prog-' || n, 'JIP-2026-' || lpad(n::text, 7, '0'), 'Programme ' || n,
       (%(areas)s::text[])[1 + n %% cardinality(%(areas)s::text[])],
       (%(statuses)s::text[])[1 + (n / 7) %% cardinality(%(statuses)s::text[])],
       DATE '2027-04-01', DATE '2029-03-31', 1 + n %% 8, 1,
       TIMESTAMPTZ '2026-01-01 00:00+00' + (n %% 31536000) * INTERVAL '1 second',
       TIMESTAMPTZ '2026-11-24 00:00+00'
FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS n
"""

PARTNERS = """
INSERT INTO programme_partners (programme_id, organisation_id, role, country)
SELECT 'prog-' || n, 'org-' || side || '-' || (1 + (n * (CASE side WHEN 'JP' THEN 7 ELSE 13 END))
       %% %(per_side)s), 'lead', side
FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS n,
     (VALUES ('JP'), ('IN')) AS sides(side)
"""

BUDGET_LINES = """
INSERT INTO programme_budget_lines (programme_id, organisation_id, currency, amount_minor)
SELECT 'prog-' || n, 'org-' || side || '-1', currency, 1000000 + (n %% 997) * 1000
FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS n,
     (VALUES ('JP', 'JPY'), ('IN', 'INR')) AS lines(side, currency)
"""


def plain_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def seed_organisations(url: str) -> None:
    with psycopg.connect(plain_url(url), autocommit=True) as conn:
        conn.execute(ORGANISATIONS, {"per_side": ORGANISATIONS_PER_SIDE})


def seed_programmes(url: str, first: int, last: int) -> None:
    """Programmes first..last, each with a Japanese and an Indian lead and two budget lines."""
    params = {
        "first": first,
        "last": last,
        "areas": list(FOCUS_AREAS),
        "statuses": list(STATUSES),
        "per_side": ORGANISATIONS_PER_SIDE,
    }
    with psycopg.connect(plain_url(url), autocommit=True) as conn:
        for statement in (PROGRAMMES, PARTNERS, BUDGET_LINES):
            conn.execute(statement, params)
        conn.execute("ANALYZE")
