"""The API's codes as English words, marked for the catalogues (formatting.word shows them).

The words a report or an email shows too are setu_contract.words', so that a status or a
focus area reads the same everywhere; the rest are the console's own."""

from __future__ import annotations

from console.translations import N_
from setu_contract import words as shared

STATUSES = shared.STATUSES

ACTIONS = {
    "submit": N_("Submit"),
    "start_review": N_("Start review"),
    "request_changes": N_("Request changes"),
    "approve": N_("Approve"),
    "reject": N_("Reject"),
    "activate": N_("Activate"),
    "complete": N_("Complete"),
    "withdraw": N_("Withdraw"),
    "cancel": N_("Cancel"),
    "endorse": N_("Endorse"),
    "decline_hosting": N_("Decline hosting"),
    "accept": N_("Accept"),
    "waitlist": N_("Waitlist"),
    "offer_slot": N_("Offer the freed slot"),
    "confirm_participation": N_("Confirm our participation"),
    "decline_participation": N_("Decline our participation"),
}

FOCUS_AREAS = shared.FOCUS_AREAS

REPORTS = {
    **shared.REPORT_TYPES,
    "queued": N_("Queued"),
    "running": N_("Running"),
    "succeeded": N_("Ready"),
    "failed": N_("Failed"),
    "sending": N_("Sending"),
    "sent": N_("Sent"),
    "retrying": N_("Retrying"),
}

# The notifications service's emails, by template.
EMAILS = {
    "application_decision": N_("Application decided"),
    "application_endorsed": N_("Application endorsed"),
    "application_endorsement_requested": N_("Endorsement asked of the host"),
    "application_received": N_("Application received"),
    "application_withdrawn": N_("Application withdrawn"),
    "approval_awaited": N_("Approval awaited"),
    "participation_declined": N_("Participation declined"),
    "person_invited": N_("Invitation"),
    "person_locked": N_("Sign-in locked"),
    "programme_status_update": N_("Programme status changed"),
    "programme_submitted": N_("Programme submitted"),
    "report_ready": N_("Report ready"),
    "slot_offered": N_("Freed slot offered"),
    "mobility_reminder": N_("Documents not applied for"),
    "sign_in_link": N_("Sign-in link"),
    "webhook_disabled": N_("Webhook disabled"),
    "review_assigned": N_("Review assigned"),
    "review_reminder": N_("Review reminder"),
    "conflict_declared": N_("Conflict of interest declared"),
    "call_closing_reminder": N_("Call closing soon"),
}

# Calls' and reviews' statuses (kept apart: programmes' filter takes STATUSES only).
CALL_STATUSES = {
    **shared.CALL_STATUSES,
    "declaration_due": N_("Declaration due"),
    "in_progress": N_("Review in progress"),
    "conflicted": N_("Conflict declared"),
}

# A call's actions: "open" is a status too, so they have words of their own.
CALL_ACTIONS = {
    "open": N_("Open the call now"),
    "close": N_("Close the call now"),
    "decide": N_("Mark the call decided"),
}

ORGANISATION_KINDS = {
    "university": N_("University"),
    "company": N_("Company"),
    "research_institute": N_("Research institute"),
    "government_agency": N_("Government agency"),
    "expert_panel": N_("Expert panel"),
}

OTHER = {
    **shared.COUNTRIES,
    **shared.DIRECTIONS,
    **shared.CAREER_STAGES,
    "lead": N_("Lead"),
    "member": N_("Member"),
    "pending": N_("Pending"),
    "deactivated": N_("Deactivated"),
    "switched_off": N_("Switched off"),
    "revoked": N_("Revoked"),
    "confirmed": N_("Confirmed"),
    "declined": N_("Declined"),
    "partner": N_("Partner"),
    "secretariat": N_("Secretariat"),
    "auditor": N_("Auditor"),
    "reviewer": N_("Reviewer"),
}

# Mobility clearance: the checklist's items, their statuses, who keeps them, the stages.
MOBILITY_ITEMS = {
    "certificate_of_eligibility": N_("Certificate of Eligibility"),
    "visa": N_("Visa"),
    "research_visa": N_("Research visa"),
    "residence_card": N_("Residence card"),
    "frro_registration": N_("FRRO registration"),
    "insurance": N_("Insurance"),
    "housing": N_("Housing"),
    "arrival": N_("Arrival"),
    "departure": N_("Departure"),
    "applied": N_("Applied for"),
    "issued": N_("Issued"),
    "refused": N_("Refused"),
    "registered": N_("Registered"),
    "arranged": N_("Arranged"),
    "arrived": N_("Arrived"),
    "departed": N_("Departed"),
    "home": N_("Home organisation"),
    "host": N_("Host organisation"),
    # A checklist item not started ("pending" is also a partner's unanswered participation).
    "item_pending": N_("Not started"),
}
# The stages of the pipeline, in order, by the API's code; their words are under "stage_"
# (an item and a stage may share a code: "visa").
MOBILITY_STAGES = {
    "blocked": N_("Blocked: a document refused"),
    "awaiting_documents": N_("Awaiting documents"),
    "visa": N_("Visa in progress"),
    "travelling": N_("Ready to travel"),
    "arrived": N_("Arrived"),
    "departed": N_("Departed"),
}

# Export-control screenings: outcomes, bases, what partners see, holds.
SCREENING = {
    **shared.SCREENING_OUTCOMES,
    "licence_expiring": shared.LICENCE_STATES["expiring"],
    "list": N_("Listed item"),
    # A classification: the API takes "not_listed" or a list item (3E001), shown as it is.
    "not_listed": N_("Not on a control list"),
    "catch_all": N_("Catch-all control"),
    "screening_pending": N_("Screening pending"),
    "screening_complete": N_("Screening complete"),
    "export_licence_expired": N_("Export licence expired"),
}

WORDS = {
    **STATUSES,
    **CALL_STATUSES,
    **ACTIONS,
    **FOCUS_AREAS,
    **ORGANISATION_KINDS,
    **REPORTS,
    **EMAILS,
    **OTHER,
    **MOBILITY_ITEMS,
    **{f"stage_{code}": words for code, words in MOBILITY_STAGES.items()},
    **SCREENING,
}

# Actions that need a comment (PRODUCT.md's tables): the page shows a comment box for them
# and says it is required; the API still decides.
COMMENT_REQUIRED = frozenset({"request_changes", "reject", "cancel", "decline_hosting"})
# Actions that end something for good are drawn as warning buttons.
WARNING_ACTIONS = frozenset(
    {"reject", "withdraw", "cancel", "decline_hosting", "decline_participation"}
)
# Participation answers go to their own endpoint, not to transitions.
PARTICIPATION = {"confirm_participation": "confirm", "decline_participation": "decline"}
