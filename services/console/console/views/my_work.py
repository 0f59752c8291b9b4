"""My work: what waits for this person now, oldest first, with counts (PRODUCT.md).

One read of the API (``GET /v1/me/work``) answers each queue of the person's role: the
things whose ``allowed_actions`` hold the queue's actions, counted exactly, the longest
unchanged first. A section a queue; the console decides nothing of its own, and only words
the queues by their names.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from console.api_client.reviews_api_client import ReviewsApiClient
from console.api_client.screenings_api_client import ScreeningsApiClient
from console.api_client.work_api_client import WorkApiClient
from console.signed_in import api, me, signed_in
from console.translations import N_

blp = Blueprint("my_work", __name__, url_prefix="/console")

# A reviewer's assignments read at once (the reviews list has no count by status).
PAGE = 100
# Rows shown a section: the oldest; the count says how many wait in all.
SHOWN = 20

# The heading of each queue the API answers (domain.work), in the API's order.
QUEUE_HEADINGS = {
    "participations_to_answer": N_("Participations to confirm"),
    "programme_drafts_to_submit": N_("Drafts ready to submit"),
    "programme_changes_to_submit": N_("Programmes with changes requested"),
    "applications_to_endorse": N_("Applications to endorse as host"),
    "application_drafts_to_submit": N_("Application drafts to submit"),
    "programmes_to_start_review": N_("Programmes to start reviewing"),
    "programmes_to_approve": N_("Programmes awaiting your side's approval"),
    "programmes_to_activate": N_("Approved programmes to activate"),
    "applications_to_decide": N_("Applications to decide"),
    "waitlisted_applications": N_("Waitlisted applications"),
    # Auditors write nothing: what moved least lately is what they look at.
    "programmes_under_review": N_("Programmes under review"),
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


def _sections(role: str) -> list[dict[str, Any]]:
    """A section for each queue of the person's work (and the secretariat's screening work),
    read at once."""
    client = api()
    reads = [lambda: WorkApiClient(client).mine(SHOWN)]
    if role == "secretariat":
        reads.append(ScreeningsApiClient(client).work)
    answers = client.at_once(reads)
    work = answers[0]
    sections = [
        {
            "heading": QUEUE_HEADINGS.get(queue["name"], queue["name"]),
            "kind": kind,
            "items": queue["items"],
            "count": queue["total"],
        }
        for kind, queues in (
            ("programme", work["programmes"]),
            ("application", work["applications"]),
        )
        for queue in queues
    ]
    if role == "secretariat":
        sections += _screening_sections(answers[1])
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
