"""My work: what waits for this person now, oldest first, with counts (PRODUCT.md).

Each list is a page of the API, filtered by what the API says the person may do to each
thing (``allowed_actions``): the console decides nothing of its own.
"""

from __future__ import annotations

import functools
from typing import Any

from flask import Blueprint, render_template

from console.api_client.applications_api_client import ApplicationsApiClient
from console.api_client.programmes_api_client import ProgrammesApiClient
from console.api_client.reviews_api_client import ReviewsApiClient
from console.api_client.screenings_api_client import ScreeningsApiClient
from console.signed_in import api, me, signed_in
from console.translations import N_

blp = Blueprint("my_work", __name__, url_prefix="/console")

PAGE = 100
# Rows shown a section: the oldest; the count says how many wait in all.
SHOWN = 20

# (heading, the API's list filter, the actions that make an item this person's to do)
PROGRAMME_QUEUES: dict[str, list[tuple[str, dict[str, str], set[str]]]] = {
    "secretariat": [
        (N_("Programmes to start reviewing"), {"status": "submitted"}, {"start_review"}),
        (N_("Programmes awaiting your side's approval"), {"status": "under_review"}, {"approve"}),
        (N_("Approved programmes to activate"), {"status": "approved"}, {"activate"}),
    ],
    "partner": [
        (
            N_("Participations to confirm"),
            {"status": "draft"},
            {"confirm_participation", "decline_participation"},
        ),
        (N_("Drafts ready to submit"), {"status": "draft"}, {"submit"}),
        (N_("Programmes with changes requested"), {"status": "changes_requested"}, {"submit"}),
    ],
}
APPLICATION_QUEUES: dict[str, list[tuple[str, dict[str, str], set[str]]]] = {
    "secretariat": [
        (N_("Applications to decide"), {"status": "endorsed"}, {"accept", "waitlist", "reject"}),
        (N_("Waitlisted applications"), {"status": "waitlisted"}, {"accept"}),
    ],
    "partner": [
        (N_("Applications to endorse as host"), {"status": "submitted"}, {"endorse"}),
        (N_("Application drafts to submit"), {"status": "draft"}, {"submit"}),
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
# Auditors write nothing: what moved last is what they look at.
AUDITOR_RECENT = N_("Programmes under review")


def _updated(item: dict[str, Any]) -> str:
    return item.get("updated_at") or ""


def _queue(items: list[dict[str, Any]], wanted: set[str]) -> list[dict[str, Any]]:
    mine = [item for item in items if wanted & set(item.get("allowed_actions") or ())]
    return sorted(mine, key=_updated)


def _pages(role: str) -> dict[tuple[str, str], Any]:
    """The API pages this role's queues are built from, read at once; two queues over one
    status read one page; the secretariat's also its screening work (a dict, not a page)."""
    wanted = [
        (kind, filters["status"])
        for kind, queues in (("programme", PROGRAMME_QUEUES), ("application", APPLICATION_QUEUES))
        for _, filters, _ in queues.get(role, [])
    ]
    if role == "auditor":
        wanted.append(("programme", "under_review"))
    keys = list(dict.fromkeys(wanted))
    client = api()
    if role == "secretariat":
        keys.append(("screening", "work"))
    resources: dict[str, type[ProgrammesApiClient] | type[ApplicationsApiClient]] = {
        "programme": ProgrammesApiClient,
        "application": ApplicationsApiClient,
    }
    answers = client.at_once(
        [
            functools.partial(ScreeningsApiClient(client).work)
            if kind == "screening"
            else functools.partial(resources[kind](client).page, status=status, page_size=PAGE)
            for kind, status in keys
        ]
    )
    return dict(zip(keys, answers, strict=True))


def _section(
    heading: str, kind: str, page: dict[str, Any], wanted: set[str] | None
) -> dict[str, Any]:
    """A queue of one list page: what this person may do, oldest first. A page that is not
    the whole list (more than PAGE of its status) makes a count that is only a floor: the
    section says so, and links to the whole list."""
    items = sorted(page["items"], key=_updated) if wanted is None else _queue(page["items"], wanted)
    partial = page.get("total", len(page["items"])) > len(page["items"])
    return {
        "heading": heading,
        "kind": kind,
        "items": items[:SHOWN],
        "count": len(items),
        "partial": partial,
    }


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
    pages = _pages(role)
    sections = [
        {**_section(heading, kind, pages[(kind, filters["status"])], wanted), **filters}
        for kind, queues in (("programme", PROGRAMME_QUEUES), ("application", APPLICATION_QUEUES))
        for heading, filters, wanted in queues.get(role, [])
    ]
    if role == "secretariat":
        work: dict[str, Any] = pages[("screening", "work")]
        due = [
            {**d, "id": d["programme_id"], "sides": d.get("sides") or []}
            for d in work.get("due") or []
        ]
        sections.append(
            {
                "heading": SCREENINGS_DUE,
                "kind": "screening",
                "items": due[:SHOWN],
                "count": len(due),
            }
        )
        licences = work.get("licences") or []
        sections.append(
            {
                "heading": LICENCES_EXPIRING,
                "kind": "licence",
                "items": licences[:SHOWN],
                "count": len(licences),
            }
        )
    if role == "auditor":
        page = pages[("programme", "under_review")]
        sections.append(
            {**_section(AUDITOR_RECENT, "programme", page, None), "status": "under_review"}
        )
    return render_template("my_work.html", sections=sections, page_size=PAGE)
