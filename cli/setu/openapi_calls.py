"""The OpenAPI descriptions of calls for proposals, expert review and the ranking."""

from __future__ import annotations

from setu.openapi_terms import ANY_KEY, BODY, READERS, SECRETARIAT, Operation

REVIEWER = (
    "the reviewer it is assigned to, the secretariat and auditors; anyone else: 404, as if it "
    "did not exist."
)
ASSIGNED = "the reviewer it is assigned to (anyone else: 404, as if it did not exist)."

CALL_OPERATIONS: dict[tuple[str, str], Operation] = {
    ("get", "/v1/calls"): Operation(
        "listCalls",
        ANY_KEY + " Drafts only for the secretariat and auditors.",
        "Any time; newest first.",
        (403, 422),
    ),
    ("post", "/v1/calls"): Operation(
        "createCall",
        SECRETARIAT,
        "Any time; the call is a draft until its clock opens it at opens_at.",
        (403, *BODY),
    ),
    ("get", "/v1/calls/{call_id}"): Operation(
        "getCall",
        ANY_KEY + " A draft is 404 to partners and reviewers.",
        "Any time.",
        (403, 404),
    ),
    ("patch", "/v1/calls/{call_id}"): Operation(
        "editCall",
        SECRETARIAT,
        "While the call is a draft (then 409); If-Match with its version (412 when stale).",
        (403, 404, 409, 412, *BODY),
    ),
    ("post", "/v1/calls/{call_id}/transitions"): Operation(
        "moveCall",
        SECRETARIAT,
        "open a draft before its time, close an open call before its time, decide a closed "
        "one (409 from any other status).",
        (403, 404, 409, *BODY),
    ),
    ("get", "/v1/calls/{call_id}/ranking"): Operation(
        "getCallRanking",
        READERS,
        "Any time; proposals answering the call by weighted mean score, with the running "
        "budget against the envelope.",
        (403, 404),
    ),
    ("get", "/v1/programmes/{programme_id}/reviews"): Operation(
        "listProgrammeReviews",
        "the secretariat and auditors (named); the programme's partners (submitted reviews, "
        "without their reviewers); anyone else: 404.",
        "Any time.",
        (403, 404),
    ),
    ("post", "/v1/programmes/{programme_id}/reviews"): Operation(
        "assignReviewer",
        SECRETARIAT,
        "While the programme answers a call and is under review; a reviewer of an expert "
        "panel, not of a partner organisation (409), up to the call's reviewers_per_proposal.",
        (403, 404, 409, *BODY),
    ),
    ("get", "/v1/reviews"): Operation(
        "listReviews",
        "a reviewer (its own assignments), the secretariat and auditors (every one); "
        "partners: 403.",
        "Any time; soonest due first.",
        (403, 422),
    ),
    ("get", "/v1/reviews/{review_id}"): Operation("getReview", REVIEWER, "Any time.", (403, 404)),
    ("post", "/v1/reviews/{review_id}/declaration"): Operation(
        "declareConflicts",
        ASSIGNED,
        "Once, before anything of the proposal is readable: none (the proposal opens) or a "
        "conflict with its reason (the assignment ends); 409 after.",
        (403, 404, 409, *BODY),
    ),
    ("get", "/v1/reviews/{review_id}/proposal"): Operation(
        "getReviewProposal",
        ASSIGNED,
        "After declaring no conflict of interest (404 before).",
        (403, 404),
    ),
    ("post", "/v1/reviews/{review_id}/submission"): Operation(
        "submitReview",
        ASSIGNED,
        "Once, after declaring no conflict: every criterion 0-5 with a comment; 409 after.",
        (403, 404, 409, *BODY),
    ),
}
