"""compliance: export-control screenings recorded in the period by side, subject and outcome;
the current licences at the period's end with their expiry; and the programmes on hold at
the period's end (their own licence expired)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from reports.domain.catalogue import period_bounds
from reports.domain.summary import COUNT, ROWS, SUM, Headline
from reports.domain.tables import Table
from reports.store.models import Programme, Screening
from reports.translations import N_

DEFINITION = N_(
    "Export-control screenings (FEFTA for Japan, SCOMET for India) recorded within the period "
    "(UTC dates), by side, by what was screened (a programme or the person of an exchange) "
    "and by outcome; every licence of a current screening at the period's end (the latest of "
    "its side for its programme or person) that was still valid on the period's first day, "
    "with its state on the period's last day (expired the day after its valid-until date; "
    "expiring within 30 days); and the programmes on hold at the period's end because their "
    "own licence had expired."
)
HEADLINES = (
    Headline(N_("Screenings recorded"), COUNT, "screenings_by_outcome", SUM, ("screenings",)),
    Headline(N_("Licences"), COUNT, "licences", ROWS),
    Headline(N_("Programmes on hold"), COUNT, "holds", ROWS),
)
BY_OUTCOME = ("side", "subject", "outcome", "screenings")
LICENCES = (
    "programme_id",
    "programme",
    "subject",
    "side",
    "authority",
    "licence_number",
    "valid_until",
    "licence_state",
)
HOLDS = ("programme_id", "programme", "programme_title", "side", "valid_until")
WARNING = timedelta(days=30)


def licence_state(valid_until: date, day: date) -> str:
    if day > valid_until:
        return "expired"
    return "expiring" if day + WARNING > valid_until else "valid"


def compute(session: Session, start: date, end: date, filters: dict, progress) -> tuple:
    lower, upper = period_bounds(start, end)
    rows = session.execute(
        select(Screening, Programme.reference, Programme.title)
        .outerjoin(Programme, Programme.id == Screening.programme_id)
        .where(Screening.recorded_at < upper)
        .order_by(Screening.recorded_at, Screening.id)
    ).all()
    progress(50)
    counted: Counter[tuple[str, str, str]] = Counter()
    current: dict[tuple[str, str | None, str], tuple[Screening, str, str]] = {}
    for screening, reference, title in rows:
        subject = "person" if screening.application_id else "programme"
        if screening.recorded_at >= lower:
            counted[(screening.jurisdiction, subject, screening.outcome)] += 1
        key = (screening.programme_id, screening.application_id, screening.jurisdiction)
        current[key] = (screening, reference or "", title or "")
    by_outcome = Table(
        "screenings_by_outcome",
        N_("Screenings by side and outcome"),
        BY_OUTCOME,
        [(side, subject, outcome, n) for (side, subject, outcome), n in sorted(counted.items())],
    )
    licences, holds = [], []
    for screening, reference, title in sorted(
        current.values(), key=lambda c: (c[1], c[0].jurisdiction, c[0].application_id or "")
    ):
        valid_until = screening.licence_valid_until
        if screening.outcome != "licence_required" or valid_until is None or valid_until < start:
            continue
        subject = "person" if screening.application_id else "programme"
        state = licence_state(valid_until, end)
        licences.append(
            (
                screening.programme_id,
                reference,
                subject,
                screening.jurisdiction,
                screening.licence_authority or "",
                screening.licence_number or "",
                valid_until.isoformat(),
                state,
            )
        )
        if subject == "programme" and state == "expired":
            holds.append(
                (
                    screening.programme_id,
                    reference,
                    title,
                    screening.jurisdiction,
                    valid_until.isoformat(),
                )
            )
    tables = [
        by_outcome,
        Table("licences", N_("Licences and their expiry"), LICENCES, licences),
        Table("holds", N_("Programmes on hold: export licence expired"), HOLDS, holds),
    ]
    return tables, []
