"""What waits for a caller (``GET /v1/me/work``): each role's queues, as data.

A queue is the things of one list (programmes or applications) whose ``allowed_actions`` hold
one of its actions for the caller, in one status or in any; with no actions, every thing of
its status (auditors act on nothing: what they look at). The console's My work shows one
section a queue, its count and its oldest things.
"""

from __future__ import annotations

from dataclasses import dataclass

PROGRAMMES, APPLICATIONS = "programmes", "applications"


@dataclass(frozen=True)
class Queue:
    name: str
    resource: str
    actions: tuple[str, ...]
    status: str | None = None


WORK: dict[str, tuple[Queue, ...]] = {
    "partner": (
        Queue(
            "participations_to_answer",
            PROGRAMMES,
            ("confirm_participation", "decline_participation"),
        ),
        Queue("programme_drafts_to_submit", PROGRAMMES, ("submit",), "draft"),
        Queue("programme_changes_to_submit", PROGRAMMES, ("submit",), "changes_requested"),
        Queue("applications_to_endorse", APPLICATIONS, ("endorse",)),
        Queue("application_drafts_to_submit", APPLICATIONS, ("submit",)),
    ),
    "secretariat": (
        Queue("programmes_to_start_review", PROGRAMMES, ("start_review",)),
        Queue("programmes_to_approve", PROGRAMMES, ("approve",)),
        Queue("programmes_to_activate", PROGRAMMES, ("activate",)),
        Queue("applications_to_decide", APPLICATIONS, ("accept", "waitlist", "reject"), "endorsed"),
        Queue("waitlisted_applications", APPLICATIONS, ("accept",), "waitlisted"),
    ),
    "auditor": (Queue("programmes_under_review", PROGRAMMES, (), "under_review"),),
}


def queues_of(role: str) -> tuple[Queue, ...]:
    """The queues of a caller of ``role`` (none for a reviewer: its work is its reviews)."""
    return WORK.get(role, ())


def filters_of(queue: Queue) -> dict[str, object]:
    """The list filters a queue is read with, longest unchanged first."""
    found: dict[str, object] = {"sort": "updated_at"}
    if queue.status:
        found["status"] = queue.status
    if queue.actions:
        found["allowed_action"] = tuple(sorted(queue.actions))
    return found
