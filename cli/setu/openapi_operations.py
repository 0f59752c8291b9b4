"""What the merged OpenAPI document says of each operation beyond what the code declares.

Each operation gets an ``operationId``, a description saying who may call it and when in a
resource's life, and every answer it really gives. The services declare their own answers
(flask-smorest's 422, programmes' errors); the gateway adds the same three to every
operation that needs a key: 401 (no valid key), 429 (the key's or the address's limit, with
``Retry-After``) and 503 (authorisation or the database unavailable, with ``Retry-After``).
``tests/security/test_openapi_answers.py`` holds these to what the authorisation matrix sees.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from setu.openapi_calls import CALL_OPERATIONS
from setu.openapi_mobility import MOBILITY_OPERATIONS
from setu.openapi_people import PEOPLE_OPERATIONS
from setu.openapi_screenings import SCREENING_OPERATIONS
from setu.openapi_terms import (
    ANY_KEY,
    APPLICATION_PARTIES,
    BODY,
    METHODS,
    PARTIES,
    READERS,
    SECRETARIAT,
    SECURED,
    Operation,
)

OPERATIONS: dict[tuple[str, str], Operation] = {
    ("get", "/v1/organisations"): Operation(
        "listOrganisations", ANY_KEY, "Any time; filter by country and kind."
    ),
    ("post", "/v1/organisations"): Operation(
        "registerOrganisation",
        SECRETARIAT,
        "First, before a partner can act: then issue the organisation a key.",
    ),
    ("get", "/v1/organisations/{organisation_id}"): Operation(
        "getOrganisation", ANY_KEY, "Any time; its ETag is the If-Match of an edit."
    ),
    ("patch", "/v1/organisations/{organisation_id}"): Operation(
        "editOrganisation",
        "the secretariat, for partner organisations and its own side's record (the other "
        "side's: 403).",
        "After reading it: send If-Match with its ETag (stale: 412).",
    ),
    ("get", "/v1/organisations/{organisation_id}/api-keys"): Operation(
        "listApiKeys",
        "the secretariat (partner organisations and its own side; the other side's: 403), "
        "auditors, and a partner for its own organisation; anyone else: 404.",
        "Any time; secrets are never shown again.",
    ),
    ("post", "/v1/organisations/{organisation_id}/api-keys"): Operation(
        "issueApiKey",
        "the secretariat, for partner organisations and its own side (the other side's: "
        "403). Auditor keys only on a secretariat side's organisation (elsewhere: 422).",
        "After registering the organisation; a side's first key comes from "
        "`setu bootstrap --side JP|IN` on the server. The secret is in this answer only.",
    ),
    ("delete", "/v1/api-keys/{key_id}"): Operation(
        "revokeApiKey",
        "the secretariat (partner organisations' and its own side's keys; the other side's: "
        "403) and a partner for its own keys; auditors: 403; anyone else: 404.",
        "Any time; the key is refused on its next request in every process. If that cannot "
        "be guaranteed the answer is 503 and nothing is revoked.",
    ),
    ("get", "/v1/programmes"): Operation(
        "listProgrammes",
        "any valid key: a partner sees the programmes it is named in, the secretariat and "
        "auditors all.",
        "Any time; each item carries the caller's allowed_actions. allowed_action keeps those "
        "whose allowed_actions hold one of the actions named (what waits for you), counted "
        "exactly in total; sort=updated_at gives the longest unchanged first.",
    ),
    ("post", "/v1/programmes"): Operation(
        "proposeProgramme",
        "a partner, naming its own organisation among the partners (otherwise 422); auditors: 403.",
        "First in a programme's life: it starts as a draft. Every other named organisation "
        "then confirms its part (participation) before submit.",
    ),
    ("get", "/v1/programmes/{programme_id}"): Operation("getProgramme", PARTIES, "Any time."),
    ("patch", "/v1/programmes/{programme_id}"): Operation(
        "editProgramme",
        "a partner of the programme that has confirmed its part; others named: 403; "
        "anyone else: 404.",
        "While draft or changes_requested (otherwise 409), with If-Match (stale: 412).",
    ),
    ("get", "/v1/programmes/{programme_id}/history"): Operation(
        "getProgrammeHistory", PARTIES, "Any time; every transition, oldest first."
    ),
    ("post", "/v1/programmes/{programme_id}/participation"): Operation(
        "answerParticipation",
        "an organisation named in the programme by another, for itself; others: 403; "
        "anyone else: 404.",
        "Once, while draft or changes_requested (otherwise 409), before the programme is "
        "submitted.",
    ),
    ("post", "/v1/programmes/{programme_id}/transitions"): Operation(
        "moveProgramme",
        "by action: submit, a partner; withdraw, a lead partner; start_review, "
        "request_changes, approve (each side once), reject, activate, complete, cancel, the "
        "secretariat. An action the caller may never take: 403.",
        "draft → submitted → under_review → approved (both sides) → active → completed; "
        "changes_requested, rejected, withdrawn and cancelled on the way. An action not "
        "allowed from the status: 409 with the caller's allowed_actions. The second side's "
        "approve of a programme that needs export-control screening: 409 naming the missing "
        "screenings (missing_screenings), or for good when one denied it.",
    ),
    ("get", "/v1/applications"): Operation(
        "listApplications",
        "any valid key: a partner sees the applications it sends or hosts, the secretariat "
        "and auditors all.",
        "Any time; allowed_action and sort as for the programmes.",
    ),
    ("post", "/v1/applications"): Operation(
        "fileApplication",
        "a partner, as the home organisation (otherwise 422); the secretariat and auditors: 403.",
        "Once the programme is approved or active; it starts as a draft.",
    ),
    ("get", "/v1/applications/{application_id}"): Operation(
        "getApplication", APPLICATION_PARTIES, "Any time."
    ),
    ("patch", "/v1/applications/{application_id}"): Operation(
        "editApplication",
        "the home organisation; others who see it: 403; anyone else: 404.",
        "While draft (otherwise 409), with If-Match (stale: 412).",
    ),
    ("get", "/v1/applications/{application_id}/history"): Operation(
        "getApplicationHistory", APPLICATION_PARTIES, "Any time; oldest first."
    ),
    ("delete", "/v1/applications/{application_id}/personal-data"): Operation(
        "eraseApplicantData",
        "the secretariat; others who see it: 403; anyone else: 404.",
        "Any time; for good, everywhere Setu keeps it.",
    ),
    ("post", "/v1/applications/{application_id}/transitions"): Operation(
        "moveApplication",
        "by action: submit and withdraw, the home organisation; endorse and decline_hosting, "
        "the host organisation; accept, waitlist and reject, the secretariat; offer_slot, "
        "Setu itself. An action the caller may never take: 403.",
        "draft → submitted → endorsed → (waitlisted → offered →) accepted; rejected and "
        "withdrawn on the way; an accepted or offered exchange withdrawn or rejected offers "
        "its slot to the first waitlisted application of its direction. Not from this status, "
        "or no exchange slot left (in all, or in the direction): 409. Into a screened "
        "programme, accept is 409 while the programme is held (export_licence_expired) or "
        "the person has not been screened by the host side.",
    ),
    ("get", "/v1/events"): Operation("listEvents", READERS, "Any time; oldest first."),
    ("get", "/v1/events/consumers"): Operation(
        "listUnconfirmedEvents", READERS, "Any time; what each consumer has not confirmed."
    ),
    ("get", "/v1/notifications"): Operation(
        "listNotifications",
        "any valid key: the secretariat and auditors see every delivery, a partner its own.",
        "Any time after an event.",
    ),
    ("get", "/v1/notifications/{notification_id}"): Operation(
        "getNotification",
        "as for the list; a delivery the caller may not see: 404.",
        "Any time.",
        (404,),
    ),
    ("post", "/v1/notifications/{notification_id}/retry"): Operation(
        "retryNotification",
        SECRETARIAT,
        "Once the delivery has failed (otherwise 409).",
        (403, 404, 409),
    ),
    ("get", "/v1/webhooks"): Operation(
        "listWebhooks", "any valid key: a partner sees its own endpoints.", "Any time."
    ),
    ("post", "/v1/webhooks"): Operation(
        "registerWebhook",
        "a partner, for its own organisation (anyone else: 403).",
        "Any time; the signing secret is in this answer only.",
        (403, 400, 413, 422),
    ),
    ("get", "/v1/webhooks/{webhook_id}"): Operation(
        "getWebhook", "the partner that registered it; anyone else: 404.", "Any time.", (404,)
    ),
    ("delete", "/v1/webhooks/{webhook_id}"): Operation(
        "removeWebhook",
        "the partner that registered it (403 for one that may not write); anyone else: 404.",
        "Any time.",
        (403, 404),
    ),
    ("get", "/v1/webhooks/{webhook_id}/deliveries"): Operation(
        "listWebhookDeliveries",
        "the partner that registered it; anyone else: 404.",
        "Any time; newest first.",
        (404,),
    ),
    ("get", "/v1/unsubscribe/{token}"): Operation(
        "showUnsubscribe",
        "no key: the signed token in a report email is the credential (a bad one: 404).",
        "From a report email's List-Unsubscribe link.",
        (404,),
    ),
    ("post", "/v1/unsubscribe/{token}"): Operation(
        "unsubscribe",
        "no key: the signed token is the credential (a bad one: 404).",
        "From the confirmation page or a mail client's one-click (RFC 8058).",
        (404,),
    ),
    ("get", "/v1/reports"): Operation("listReports", READERS, "Any time.", (403,)),
    ("post", "/v1/reports"): Operation(
        "requestReport",
        READERS,
        "Any time; answers 202, then follow it with getReport until it has succeeded.",
        (403, *BODY),
    ),
    ("get", "/v1/reports/{report_id}"): Operation(
        "getReport", READERS, "After requestReport, until succeeded or failed.", (403, 404)
    ),
    ("get", "/v1/reports/{report_id}/download"): Operation(
        "downloadReport",
        READERS,
        "Once it has succeeded (before: 409; a file no longer kept: 410).",
        (403, 404, 409, 410),
    ),
    ("delete", "/v1/reports/{report_id}/links"): Operation(
        "revokeReportLinks",
        SECRETARIAT,
        "Any time after the report is made; every link made so far answers 404 after.",
        (403, 404),
    ),
    ("get", "/v1/report-links/{token}"): Operation(
        "downloadReportByLink",
        "no key: the signed link is the credential (tampered, expired or revoked: 404).",
        "From a report email, for REPORT_LINK_DAYS days (a file no longer kept: 410).",
    ),
    ("get", "/v1/report-schedules"): Operation(
        "listReportSchedules", READERS, "Any time; two defaults exist from the start.", (403,)
    ),
    ("post", "/v1/report-schedules"): Operation(
        "createReportSchedule",
        "the secretariat (auditors and partners: 403).",
        "Any time; it fires once per due time.",
        (403, *BODY),
    ),
    ("get", "/v1/report-schedules/{schedule_id}"): Operation(
        "getReportSchedule", READERS, "Any time; its ETag is the If-Match of a change.", (403, 404)
    ),
    ("patch", "/v1/report-schedules/{schedule_id}"): Operation(
        "changeReportSchedule",
        "the secretariat (auditors and partners: 403).",
        "After reading it: If-Match with its ETag (stale: 412).",
        (403, 404, 412, *BODY),
    ),
    ("delete", "/v1/report-schedules/{schedule_id}"): Operation(
        "deleteReportSchedule",
        "the secretariat (auditors and partners: 403).",
        "Any time; its runs go with it, its reports stay.",
        (403, 404),
    ),
    ("get", "/v1/report-schedules/{schedule_id}/runs"): Operation(
        "listReportScheduleRuns", READERS, "Any time after it first fires.", (403, 404)
    ),
    **PEOPLE_OPERATIONS,
    **CALL_OPERATIONS,
    **MOBILITY_OPERATIONS,
    **SCREENING_OPERATIONS,
}


class UndescribedOperation(ValueError):
    pass


def _response(code: int) -> dict[str, Any]:
    return {"$ref": f"#/components/responses/{HTTPStatus(code).name}"}


def describe(spec: dict[str, Any]) -> None:
    """Name, describe and complete every operation of the merged ``spec``; drop empty tags."""
    global_security = spec.get("security", [])
    seen = set()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            entry = OPERATIONS.get((method, path))
            if entry is None:
                raise UndescribedOperation(f"{method.upper()} {path} is not in OPERATIONS")
            seen.add((method, path))
            operation["operationId"] = entry.operation_id
            operation["description"] = f"**Who**: {entry.who}\n\n**When**: {entry.when}"
            secured = operation.get("security", global_security) != []
            for code in (*(SECURED if secured else ()), *entry.answers):
                operation["responses"].setdefault(str(code), _response(code))
    if missing := set(OPERATIONS) - seen:
        raise UndescribedOperation(f"OPERATIONS names operations the API lacks: {missing}")
    used = {
        tag
        for ops in spec["paths"].values()
        for method, op in ops.items()
        if method in METHODS
        for tag in op.get("tags", [])
    }
    spec["tags"] = [tag for tag in spec["tags"] if tag["name"] in used]
    responses = spec["components"].setdefault("responses", {})
    for code in (*SECURED, *BODY, 403, 404, 409, 410, 412):
        responses.setdefault(
            HTTPStatus(code).name,
            {
                "description": HTTPStatus(code).phrase,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
        )
