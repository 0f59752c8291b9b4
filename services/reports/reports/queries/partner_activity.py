"""partner_activity: per organisation, programmes led and joined, applications sent and hosted."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import Session

from reports.domain.catalogue import period_bounds
from reports.domain.summary import COUNT, ROWS, SUM, Headline
from reports.domain.tables import Chart, Table
from reports.queries.exchange_flows import application_filter
from reports.queries.portfolio import programme_filter
from reports.store.models import Application, Organisation, Programme, ProgrammePartner
from reports.translations import N_

DEFINITION = N_(
    "For each organisation: the programmes created within the period (UTC dates) that it leads, "
    "or joins as a member; the applications submitted within the period that it sends (as the "
    "home organisation) or hosts; and the applications accepted within the period that it "
    "sends or hosts. Organisations with nothing to count are left out."
)
HEADLINES = (
    Headline(N_("Organisations with activity"), COUNT, "organisations", ROWS),
    Headline(N_("Applications sent"), COUNT, "organisations", SUM, ("applications_sent",)),
    Headline(N_("Lead roles in new programmes"), COUNT, "organisations", SUM, ("programmes_led",)),
)
CHARTS = [
    Chart(
        N_("Applications sent, per organisation"),
        "organisations",
        "name",
        "applications_sent",
        "country",
        horizontal=True,
    ),
    Chart(
        N_("Programmes led, per organisation"),
        "organisations",
        "name",
        "programmes_led",
        "country",
        horizontal=True,
    ),
]
COLUMNS = (
    "programmes_led",
    "programmes_joined",
    "applications_sent",
    "applications_hosted",
    "accepted",
)


def _counts(org_column, query, **counted):
    """``query`` grouped by ``org_column``: one count per column of COLUMNS, those not in
    ``counted`` (name -> condition) being 0."""
    figures = [func.count().filter(counted[c]) if c in counted else literal(0) for c in COLUMNS]
    return query.with_only_columns(
        org_column.label("organisation_id"),
        *(figure.label(c) for figure, c in zip(figures, COLUMNS, strict=True)),
    ).group_by(org_column)


def _parts(lower, upper, filters: dict) -> list:
    """Each part aggregated per organisation in one pass over its table (the partners of the
    programmes created in the period; the applications seen once from the home side and
    once from the host side), so that only a few rows per organisation are left to add."""
    created = (Programme.created_at >= lower) & (Programme.created_at < upper)
    role = ProgrammePartner.role
    partners = programme_filter(
        select(ProgrammePartner.organisation_id)
        .join(Programme, Programme.id == ProgrammePartner.programme_id)
        .where(created, role.in_(("lead", "member"))),
        filters,
    )
    submitted = (Application.submitted_at >= lower) & (Application.submitted_at < upper)
    accepted = (Application.accepted_at >= lower) & (Application.accepted_at < upper)
    applications = application_filter(select(Application.id).where(submitted | accepted), filters)
    return [
        _counts(
            ProgrammePartner.organisation_id,
            partners,
            programmes_led=role == "lead",
            programmes_joined=role == "member",
        ),
        _counts(
            Application.home_organisation_id,
            applications,
            applications_sent=submitted,
            accepted=accepted,
        ),
        _counts(
            Application.host_organisation_id,
            applications,
            applications_hosted=submitted,
            accepted=accepted,
        ),
    ]


def compute(session: Session, start: date, end: date, filters: dict, progress) -> tuple:
    lower, upper = period_bounds(start, end)
    parts = union_all(*_parts(lower, upper, filters)).subquery("parts")
    # Summed per organisation id first; the organisations' names joined to those few rows.
    facts = (
        select(parts.c.organisation_id, *(func.sum(parts.c[c]).label(c) for c in COLUMNS))
        .group_by(parts.c.organisation_id)
        .subquery("facts")
    )
    query = (
        select(
            facts.c.organisation_id,
            Organisation.name,
            Organisation.country,
            *(facts.c[c] for c in COLUMNS),
        )
        .outerjoin(Organisation, Organisation.id == facts.c.organisation_id)
        .order_by(Organisation.country, Organisation.name, facts.c.organisation_id)
    )
    rows = session.execute(query).all()
    progress(60)
    table = Table(
        "organisations",
        N_("Activity per organisation"),
        ("organisation_id", "name", "country", *COLUMNS),
        [
            (oid, name or "", country or "", *(int(v or 0) for v in values))
            for oid, name, country, *values in rows
        ],
    )
    return [table], list(CHARTS)
