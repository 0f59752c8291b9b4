"""The OpenAPI descriptions of export-control screenings (issue 33)."""

from __future__ import annotations

from setu.openapi_terms import BODY, Operation

DETAILS = "the secretariat (both sides) and auditors; partners: 403 (they see screening: "
DETAILS += "pending | complete on the programme)."
RECORD = (
    "the secretariat of the side screening (JP under FEFTA, IN under SCOMET); the other side, "
    "auditors and partners: 403."
)

SCREENING_OPERATIONS: dict[tuple[str, str], Operation] = {
    ("get", "/v1/screenings/work"): Operation(
        "getScreeningWork",
        DETAILS,
        "Any time: the programmes submitted or under review still to screen by your side "
        "(auditors: either side), oldest first; your side's current licences expiring within "
        "30 days or expired, soonest first.",
        (403,),
    ),
    ("get", "/v1/programmes/{programme_id}/screenings"): Operation(
        "listProgrammeScreenings",
        DETAILS,
        "Any time; newest first, superseded ones kept (current: false).",
        (403, 404),
    ),
    ("post", "/v1/programmes/{programme_id}/screenings"): Operation(
        "recordProgrammeScreening",
        RECORD,
        "Any time; it supersedes the side's current screening, except a denied one, which is "
        "final (409). The regime and licence authority are the jurisdiction's; a licence is "
        "given exactly when the outcome is licence_required (422).",
        (403, 404, 409, *BODY),
    ),
    ("get", "/v1/applications/{application_id}/screenings"): Operation(
        "listApplicationScreenings",
        DETAILS,
        "Any time; newest first.",
        (403, 404),
    ),
    ("post", "/v1/applications/{application_id}/screenings"): Operation(
        "recordPersonScreening",
        RECORD + " The jurisdiction is the host organisation's side (422 otherwise).",
        "Any time; needed (cleared, or licence_required with a valid licence) before an "
        "exchange into a screened programme is accepted.",
        (403, 404, 409, *BODY),
    ),
}
