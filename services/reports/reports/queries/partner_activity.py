"""partner_activity: per organisation, programmes led and joined, applications sent and hosted."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import Session

from reports.domain.catalogue import period_bounds
from reports.domain.tables import Chart, Table
from reports.queries.exchange_flows import application_filter
from reports.queries.portfolio import programme_filter
from reports.store.models import Application, Organisation, Programme, ProgrammePartner

DEFINITION = (
    "Per organisation: programmes_led and programmes_joined count the programmes created in the "
    "period (UTC) in which it is a lead, or a member, partner; applications_sent and "
    "applications_hosted count the applications submitted in the period for which it is the "
    "home, or the host, organisation; accepted counts the applications accepted in the period "
    "in which it is the home or the host organisation. Organisations with nothing to count are "
    "left out."
)
COLUMNS = (
    "programmes_led",
    "programmes_joined",
    "applications_sent",
    "applications_hosted",
    "accepted",
)


def _contribution(org_column, column_index: int, query):
    ones = [literal(1 if i == column_index else 0) for i in range(len(COLUMNS))]
    return query.with_only_columns(
        org_column.label("organisation_id"),
        *(v.label(c) for v, c in zip(ones, COLUMNS, strict=True)),
    )


def _parts(lower, upper, filters: dict) -> list:
    created = (Programme.created_at >= lower) & (Programme.created_at < upper)
    partners = programme_filter(
        select(ProgrammePartner.organisation_id)
        .join(Programme, Programme.id == ProgrammePartner.programme_id)
        .where(created),
        filters,
    )
    submitted = application_filter(
        select(Application.id).where(
            Application.submitted_at >= lower, Application.submitted_at < upper
        ),
        filters,
    )
    accepted = application_filter(
        select(Application.id).where(
            Application.accepted_at >= lower, Application.accepted_at < upper
        ),
        filters,
    )
    return [
        _contribution(
            ProgrammePartner.organisation_id, 0, partners.where(ProgrammePartner.role == "lead")
        ),
        _contribution(
            ProgrammePartner.organisation_id, 1, partners.where(ProgrammePartner.role == "member")
        ),
        _contribution(Application.home_organisation_id, 2, submitted),
        _contribution(Application.host_organisation_id, 3, submitted),
        _contribution(Application.home_organisation_id, 4, accepted),
        _contribution(Application.host_organisation_id, 4, accepted),
    ]


def compute(session: Session, start: date, end: date, filters: dict, progress) -> tuple:
    lower, upper = period_bounds(start, end)
    facts = union_all(*_parts(lower, upper, filters)).subquery()
    sums = [func.sum(getattr(facts.c, c)).label(c) for c in COLUMNS]
    query = (
        select(facts.c.organisation_id, Organisation.name, Organisation.country, *sums)
        .outerjoin(Organisation, Organisation.id == facts.c.organisation_id)
        .group_by(facts.c.organisation_id, Organisation.name, Organisation.country)
        .order_by(Organisation.country, Organisation.name, facts.c.organisation_id)
    )
    rows = session.execute(query).all()
    progress(60)
    table = Table(
        "organisations",
        "Activity per organisation",
        ("organisation_id", "name", "country", *COLUMNS),
        [
            (oid, name or "", country or "", *(int(v or 0) for v in values))
            for oid, name, country, *values in rows
        ],
    )
    charts = [
        Chart(
            "Applications sent per organisation",
            "organisations",
            "name",
            "applications_sent",
            "country",
        ),
        Chart(
            "Programmes led per organisation", "organisations", "name", "programmes_led", "country"
        ),
    ]
    return [table], charts
