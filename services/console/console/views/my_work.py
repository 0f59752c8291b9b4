"""My work: what waits for this person now, oldest first, with counts (PRODUCT.md).

Each section is one page of an API list filtered by what the person may do to each thing
(``allowed_action``: the things whose ``allowed_actions`` hold one of the section's actions),
longest unchanged first (``sort=updated_at``): its items are the oldest, its ``total`` the
exact count. The console decides nothing of its own.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Blueprint, render_template

from console.api_client.applications_api_client import ApplicationsApiClient
from console.api_client.programmes_api_client import ProgrammesApiClient
from console.api_client.reviews_api_client import ReviewsApiClient
from console.api_client.screenings_api_client import ScreeningsApiClient
from console.signed_in import api, me, signed_in
from console.translations import N_

blp = Blueprint("my_work", __name__, url_prefix="/console")

# A reviewer's assignments read at once (the reviews list has no count by status).
PAGE = 100
# Rows shown a section: the oldest; the count says how many wait in all.
SHOWN = 20
OLDEST_FIRST = "updated_at"

# (heading, the API's list filter: the actions that make an item this person's to do, and
# the status where a section is one status of several the actions are taken from)
Queue = tuple[str, dict[str, str]]
PROGRAMME_QUEUES: dict[str, list[Queue]] = {
    "secretariat": [
        (N_("Programmes to start reviewing"), {"allowed_action": "start_review"}),
        (N_("Programmes awaiting your side's approval"), {"allowed_action": "approve"}),
        (N_("Approved programmes to activate"), {"allowed_action": "activate"}),
    ],
    "partner": [
        (
            N_("Participations to confirm"),
            {"allowed_action": "confirm_participation,decline_participation"},
        ),
        (N_("Drafts ready to submit"), {"status": "draft", "allowed_action": "submit"}),
        (
            N_("Programmes with changes requested"),
            {"status": "changes_requested", "allowed_action": "submit"},
        ),
    ],
    # Auditors write nothing: what moved least lately is what they look at.
    "auditor": [(N_("Programmes under review"), {"status": "under_review"})],
}
APPLICATION_QUEUES: dict[str, list[Queue]] = {
    "secretariat": [
        (
            N_("Applications to decide"),
            {"status": "endorsed", "allowed_action": "accept,waitlist,reject"},
        ),
        (N_("Waitlisted applications"), {"status": "waitlisted", "allowed_action": "accept"}),
    ],
    "partner": [
        (N_("Applications to endorse as host"), {"allowed_action": "endorse"}),
        (N_("Application drafts to submit"), {"allowed_action": "submit"}),
    ],
}
# A reviewer's own assignments, soonest due first, as the API lists them: (heading, the
# statuses of the section; None: every assignment).
REVIEW_QUEUES: list[tuple[str, frozenset[str] | None]] = [
    (N_("Declarations of conflicts of interest due"), frozenset({"declaration_due"})),
    (N_("Reviews due"), frozenset({"in_progress"})),
    (N_("All your assignments"), None),
]
# The secretariat's export-control work (GET /v1/screenings/work).
SCREENINGS_DUE = N_("Screenings due")
LICENCES_EXPIRING = N_("Licences expiring")


def list_reads(role: str) -> list[tuple[str, str, dict[str, Any]]]:
    """This role's sections read from the lists: (heading, kind, the list's query as it is
    sent: the section's filter, longest unchanged first, SHOWN a page)."""
    return [
        (heading, kind, {**filters, "sort": OLDEST_FIRST, "page_size": SHOWN})
        for kind, table in (("programme", PROGRAMME_QUEUES), ("application", APPLICATION_QUEUES))
        for heading, filters in table.get(role, [])
    ]


def _sections(role: str) -> list[dict[str, Any]]:
    """Each section's page (and the secretariat's screening work), read at once."""
    client = api()
    resources: dict[str, type[ProgrammesApiClient] | type[ApplicationsApiClient]] = {
        "programme": ProgrammesApiClient,
        "application": ApplicationsApiClient,
    }
    queues = list_reads(role)
    reads: list[Callable[[], Any]] = [
        functools.partial(resources[kind](client).page, **query) for _, kind, query in queues
    ]
    if role == "secretariat":
        reads.append(ScreeningsApiClient(client).work)
    answers = client.at_once(reads)
    sections = [
        {"heading": heading, "kind": kind, "items": page["items"], "count": page["total"]}
        for (heading, kind, _), page in zip(queues, answers[: len(queues)], strict=True)
    ]
    if role == "secretariat":
        sections += _screening_sections(answers[-1])
    return sections


def _screening_sections(work: dict[str, Any]) -> list[dict[str, Any]]:
    due = [
        {**d, "id": d["programme_id"], "sides": d.get("sides") or []} for d in work.get("due") or []
    ]
    licences = work.get("licences") or []
    return [
        {"heading": SCREENINGS_DUE, "kind": "screening", "items": due[:SHOWN], "count": len(due)},
        {
            "heading": LICENCES_EXPIRING,
            "kind": "licence",
            "items": licences[:SHOWN],
            "count": len(licences),
        },
    ]


def _review_sections() -> list[dict[str, Any]]:
    items = ReviewsApiClient(api()).page(page_size=PAGE)["items"]
    sections = []
    for heading, statuses in REVIEW_QUEUES:
        mine = [i for i in items if statuses is None or i.get("status") in statuses]
        sections.append(
            {"heading": heading, "kind": "review", "items": mine[:SHOWN], "count": len(mine)}
        )
    return sections


@blp.get("/")
@signed_in
def index() -> Any:
    role = me().get("role") or ""
    if role == "reviewer":
        return render_template("my_work.html", sections=_review_sections())
    return render_template("my_work.html", sections=_sections(role))
