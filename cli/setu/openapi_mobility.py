"""The OpenAPI descriptions of mobility clearance: an accepted exchange's checklist and the
secretariat's pipeline by stage."""

from __future__ import annotations

from setu.openapi_terms import APPLICATION_PARTIES, BODY, READERS, Operation

KEEPERS = (
    "the organisation that keeps the item: the host for the Certificate of Eligibility, "
    "residence card, FRRO registration, housing, arrival and departure; the home for the "
    "visas and insurance (the other one, the secretariat and auditors: 403); anyone else: 404."
)
KEPT = (
    "While the exchange is accepted (otherwise 409). An item not on this exchange's "
    "checklist: 404; FRRO registration on a stay of 180 days or less: 409. An actual "
    "arrival or departure needs its date, not in the future; a departure after the arrival "
    "(otherwise 422)."
)

MOBILITY_OPERATIONS: dict[tuple[str, str], Operation] = {
    ("get", "/v1/applications/{application_id}/mobility"): Operation(
        "getMobilityChecklist",
        APPLICATION_PARTIES,
        "Once the exchange is accepted (before: 409); each item with who set it and when, "
        "and whether the caller may set it.",
        (404, 409),
    ),
    ("put", "/v1/applications/{application_id}/mobility/{item}"): Operation(
        "setMobilityItem", KEEPERS, KEPT, (403, 404, 409, *BODY)
    ),
    ("patch", "/v1/applications/{application_id}/mobility/{item}"): Operation(
        "changeMobilityItem", KEEPERS, KEPT, (403, 404, 409, *BODY)
    ),
    ("get", "/v1/mobility/pipeline"): Operation(
        "listExchangesByStage",
        READERS,
        "Any time; every accepted exchange, soonest start first, with how many are in each stage.",
        (403, 422),
    ),
}
