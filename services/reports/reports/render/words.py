"""Words for what a report's tables hold: each code as a reader says it, each column's header.

Every word is an English message: the codes' words are setu_contract.words (the console
and the emails say them alike), the headers the service's own (translations.N_), each
translated into the report's language where it is shown. csv and json keep the codes and
ids; html and pdf show these words, and never a column of kind ``id``.
"""

from __future__ import annotations

from dataclasses import dataclass

from reports.domain.summary import COUNT, INR, JPY, RATE
from reports.translations import N_
from setu_contract import words as shared
from setu_contract.vocabulary import PROGRAMME_STATUSES

FOCUS_AREAS = shared.FOCUS_AREAS
# A report counts programmes: their statuses only, in their order.
STATUSES = {code: shared.STATUSES[code] for code in PROGRAMME_STATUSES}
DIRECTIONS = shared.DIRECTIONS
CAREER_STAGES = shared.CAREER_STAGES
COUNTRIES = shared.COUNTRIES
CALL_STATUSES = {"draft": shared.STATUSES["draft"], **shared.CALL_STATUSES}

SUBJECTS = {"programme": N_("Programme"), "person": N_("Person of an exchange")}
OUTCOMES = shared.SCREENING_OUTCOMES
LICENCE_STATES = shared.LICENCE_STATES

# How a column's values are written: the figures' kinds (a count, money, a rate) and these.
ID, WORD, NAME, DAYS, MONTH, DATE = "id", "word", "name", "days", "month", "date"
MONEY = (JPY, INR)


@dataclass(frozen=True)
class Column:
    """A column as a reader sees it: its header, how its values are written (``kind``) and,
    for codes, the word of each (in the order a reader expects them)."""

    header: str
    kind: str
    words: dict[str, str] | None = None


COLUMNS: dict[str, Column] = {
    "organisation_id": Column(N_("Organisation id"), ID),
    "focus_area": Column(N_("Focus area"), WORD, FOCUS_AREAS),
    "status": Column(N_("Status"), WORD, STATUSES),
    "direction": Column(N_("Direction"), WORD, DIRECTIONS),
    "career_stage": Column(N_("Career stage"), WORD, CAREER_STAGES),
    "country": Column(N_("Country"), WORD, COUNTRIES),
    "name": Column(N_("Organisation"), NAME),
    "japan_lead": Column(N_("Lead in Japan"), NAME),
    "india_lead": Column(N_("Lead in India"), NAME),
    "month": Column(N_("Month"), MONTH),
    "programmes": Column(N_("Programmes"), COUNT),
    "budget_jpy": Column(N_("Budget in yen"), JPY),
    "budget_inr": Column(N_("Budget in rupees"), INR),
    "committed_jpy": Column(N_("Yen committed"), JPY),
    "committed_inr": Column(N_("Rupees committed"), INR),
    "submitted": Column(shared.STATUSES["submitted"], COUNT),
    "endorsed": Column(N_("Endorsed by the host"), COUNT),
    "accepted": Column(shared.STATUSES["accepted"], COUNT),
    "rejected": Column(shared.STATUSES["rejected"], COUNT),
    "withdrawn": Column(shared.STATUSES["withdrawn"], COUNT),
    "acceptance_rate": Column(N_("Acceptance rate"), RATE),
    "mean_duration_days": Column(N_("Mean stay in days"), DAYS),
    "planned_arrivals": Column(N_("Arrivals planned"), COUNT),
    "actual_arrivals": Column(N_("Arrivals made"), COUNT),
    "planned_departures": Column(N_("Departures planned"), COUNT),
    "actual_departures": Column(N_("Departures made"), COUNT),
    "programmes_led": Column(N_("Programmes led"), COUNT),
    "programmes_joined": Column(N_("Programmes joined"), COUNT),
    "applications_sent": Column(N_("Applications sent"), COUNT),
    "applications_hosted": Column(N_("Applications hosted"), COUNT),
    "call_id": Column(N_("Call id"), ID),
    "call": Column(N_("Call"), NAME),
    "call_status": Column(N_("Call status"), WORD, CALL_STATUSES),
    "received": Column(N_("Proposals received"), COUNT),
    "eligible": Column(N_("Eligible"), COUNT),
    "reviewed": Column(N_("Reviewed"), COUNT),
    "approved": Column(shared.STATUSES["approved"], COUNT),
    "envelope_jpy": Column(N_("Envelope in yen"), JPY),
    "envelope_inr": Column(N_("Envelope in rupees"), INR),
    "side": Column(N_("Side"), WORD, COUNTRIES),
    "subject": Column(N_("Screened"), WORD, SUBJECTS),
    "outcome": Column(N_("Outcome"), WORD, OUTCOMES),
    "screenings": Column(N_("Screenings"), COUNT),
    "programme_id": Column(N_("Programme id"), ID),
    "programme": Column(N_("Programme"), NAME),
    "programme_title": Column(N_("Title"), NAME),
    "authority": Column(N_("Authority"), NAME),
    "licence_number": Column(N_("Licence"), NAME),
    "valid_until": Column(N_("Valid until"), DATE),
    "licence_state": Column(N_("Licence state"), WORD, LICENCE_STATES),
}


def shown(columns: tuple[str, ...]) -> list[int]:
    """The positions of the columns a reader sees (not the internal ids)."""
    return [i for i, name in enumerate(columns) if COLUMNS[name].kind != ID]


def order_of(column: str, codes: list[str]) -> list[str]:
    """``codes`` in the order a reader expects (the vocabulary's), others after them."""
    words = COLUMNS[column].words or {}
    known = [code for code in words if code in codes]
    return known + sorted(code for code in codes if code not in words)
