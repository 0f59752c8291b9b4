"""What waits for a caller (``GET /v1/me/work``): each queue of its role (domain.work),
read as its list is read with the queue's ``allowed_action`` and status filters, longest
unchanged first: the exact count and the oldest things of each, in one answer.

One answer instead of a list read a queue: each read of a list costs its request (the key,
the rate limit, the dispatch) and the console's call, more than the read itself once pages
are kept (docs/performance.md).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from programmes.domain.work import APPLICATIONS, PROGRAMMES, Queue, filters_of, queues_of
from programmes.services import applications, programme_reads
from programmes.store.kept_programmes import KeptProgrammes
from programmes.store.list_totals import ListTotals
from setu_contract.http import Principal


def work(
    session: Session,
    principal: Principal,
    size: int,
    totals: ListTotals | None = None,
    kept: KeptProgrammes | None = None,
    generation: bytes | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Each queue of the caller's role with its ``total`` and its ``size`` oldest items, as
    the lists answer them; programme pages kept in ``kept`` as the list keeps them."""
    answer: dict[str, list[dict[str, Any]]] = {PROGRAMMES: [], APPLICATIONS: []}
    for queue in queues_of(principal.role):
        filters = filters_of(queue)
        if queue.resource == PROGRAMMES:
            items, total = _programmes(session, principal, filters, size, totals, kept, generation)
        else:
            found, total = applications.list_applications(session, principal, filters, 1, size)
            items = [applications.view(snapshot, principal) for snapshot in found]
        answer[queue.resource].append(_queue(queue, items, total))
    return answer


def _programmes(
    session: Session,
    principal: Principal,
    filters: dict[str, Any],
    size: int,
    totals: ListTotals | None,
    kept: KeptProgrammes | None,
    generation: bytes | None,
) -> tuple[list[dict[str, Any]], int]:
    page = None
    if kept is not None:
        page = programme_reads.kept_page(principal, filters, 1, size, kept, generation)
    if page is None:
        page = programme_reads.list_programmes(
            session, principal, filters, 1, size, totals, kept, generation
        )
    return page.items, page.total


def _queue(queue: Queue, items: list[dict[str, Any]], total: int) -> dict[str, Any]:
    return {
        "name": queue.name,
        "status": queue.status,
        "allowed_action": list(queue.actions),
        "total": total,
        "items": items,
    }
