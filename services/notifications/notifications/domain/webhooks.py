"""Which organisations an event is about: their webhook endpoints may receive it."""

from __future__ import annotations

from typing import Any

from setu_contract.events import REVIEW_EVENTS, SCREENING_EVENTS, EventType

# Events about no partner's own programme or application are never sent to webhooks; review
# events name their reviewers, whom partners never learn: no webhook may even ask for them;
# nor for screenings, whose details partners never see.
WEBHOOK_EVENT_TYPES = tuple(
    t.value
    for t in EventType
    if t is not EventType.REPORT_GENERATED and t not in REVIEW_EVENTS | SCREENING_EVENTS
)


def organisations_concerned(envelope: dict[str, Any]) -> set[str]:
    data = envelope["data"]
    kind = envelope["type"].split(".", 1)[0]
    if kind == "organisation":
        return {data["id"]}
    if kind in ("programme", "participation"):
        return {p["organisation_id"] for p in data.get("partners", [])}
    if kind in ("application", "mobility") and "home_organisation_id" in data:
        return {data["home_organisation_id"], data["host_organisation_id"]}
    return set()
