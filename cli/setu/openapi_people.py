"""The OpenAPI descriptions of people, sign-in and sessions."""

from __future__ import annotations

from setu.openapi_terms import BODY, MANAGERS, SESSION, Operation

PEOPLE_OPERATIONS: dict[tuple[str, str], Operation] = {
    ("get", "/v1/organisations/{organisation_id}/people"): Operation(
        "listPeople",
        "the organisation itself, auditors and its own secretariat side (anyone else: 403).",
        "Any time.",
        (403, 404),
    ),
    ("post", "/v1/organisations/{organisation_id}/people"): Operation(
        "addPerson",
        MANAGERS + " Roles follow the organisation's kind (else 422).",
        "Any time; the person is emailed an invitation with a sign-in link.",
        (403, 404, 409),
    ),
    ("get", "/v1/people/{person_id}"): Operation(
        "getPerson",
        "the person, its organisation, auditors and its own secretariat side; the other "
        "side: 403; anyone else: 404.",
        "Any time; its ETag is the If-Match of an edit.",
        (403, 404),
    ),
    ("patch", "/v1/people/{person_id}"): Operation(
        "editPerson", MANAGERS, "While active; send If-Match (stale: 412).", (403, 404, 409, 412)
    ),
    ("delete", "/v1/people/{person_id}"): Operation(
        "deactivatePerson",
        MANAGERS,
        "Any time: every session ends at once and its personal data is erased everywhere.",
        (403, 404),
    ),
    ("delete", "/v1/people/{person_id}/sessions"): Operation(
        "signOutEverywhere",
        "the person itself, or " + MANAGERS,
        "Any time: every session of the person ends at once.",
        (403, 404),
    ),
    ("get", "/v1/me"): Operation("whoAmI", "any valid key or session.", "Any time."),
    ("get", "/v1/me/work"): Operation(
        "getMyWork",
        "any valid key or session: each role its own queues (a reviewer none: its work is "
        "its reviews).",
        "Any time: what waits for you now, as the lists' allowed_action filter finds it; the "
        "console's My work is this one read.",
    ),
    ("post", "/v1/sign-in"): Operation(
        "requestSignInLink",
        "no key: anyone (the same answer for any address).",
        "From the console's sign-in page; a person gets at most 5 links in 15 minutes.",
        (*BODY, 503),
    ),
    ("post", "/v1/sessions"): Operation(
        "openSession",
        "no key: the sign-in link's token is the credential (used, late or wrong: 401).",
        "Within 15 minutes of the link's email, once.",
        (401, 429, 503, *BODY),
    ),
    ("get", "/v1/sessions/current"): Operation(
        "getCurrentSession", SESSION, "Any time, finished signing in or not.", (403,)
    ),
    ("delete", "/v1/sessions/current"): Operation(
        "signOut", SESSION, "Any time, finished signing in or not.", (403,)
    ),
    ("post", "/v1/sessions/current/totp-enrolment"): Operation(
        "startTotpEnrolment",
        SESSION,
        "At the first sign-in of a secretariat, auditor or reviewer person (a partner may "
        "turn it on); then confirm it.",
        (403, 409, *BODY),
    ),
    ("post", "/v1/sessions/current/totp-enrolment/confirm"): Operation(
        "confirmTotpEnrolment",
        SESSION,
        "After startTotpEnrolment, with a first code; answers ten recovery codes, once. Five "
        "wrong codes lock the person for 15 minutes (429).",
        (403, 409, *BODY),
    ),
    ("post", "/v1/sessions/current/totp"): Operation(
        "confirmSignIn",
        SESSION,
        "After opening a session that asks for a code: a TOTP code or a recovery code. Five "
        "wrong codes lock the person for 15 minutes (429).",
        (403, 409, *BODY),
    ),
}
