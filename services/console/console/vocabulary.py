"""The API's codes as English words, marked for the catalogues (formatting.word shows them)."""

from __future__ import annotations

from console.translations import N_

STATUSES = {
    "draft": N_("Draft"),
    "submitted": N_("Submitted"),
    "under_review": N_("Under review"),
    "changes_requested": N_("Changes requested"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "active": N_("Active"),
    "completed": N_("Completed"),
    "withdrawn": N_("Withdrawn"),
    "cancelled": N_("Cancelled"),
    "endorsed": N_("Endorsed"),
    "waitlisted": N_("Waitlisted"),
    "accepted": N_("Accepted"),
}

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
    "confirm_participation": N_("Confirm our participation"),
    "decline_participation": N_("Decline our participation"),
}

FOCUS_AREAS = {
    "semiconductor_design": N_("Semiconductor design"),
    "semiconductor_manufacturing": N_("Semiconductor manufacturing"),
    "semiconductor_packaging": N_("Semiconductor packaging"),
    "supply_chain_resilience": N_("Supply-chain resilience"),
    "ai_research": N_("AI research"),
    "ai_healthcare": N_("AI in healthcare"),
    "ai_agriculture": N_("AI in agriculture"),
    "ai_urban_planning": N_("AI in urban planning"),
    "ai_ethics_governance": N_("AI ethics and governance"),
    "talent_development": N_("Talent development"),
}

REPORTS = {
    "programme_portfolio": N_("Programme portfolio"),
    "exchange_flows": N_("Exchange flows"),
    "partner_activity": N_("Partner activity"),
    "budget_commitments": N_("Budget commitments"),
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
    "sign_in_link": N_("Sign-in link"),
    "webhook_disabled": N_("Webhook disabled"),
}

OTHER = {
    "lead": N_("Lead"),
    "member": N_("Member"),
    "pending": N_("Pending"),
    "deactivated": N_("Deactivated"),
    "revoked": N_("Revoked"),
    "confirmed": N_("Confirmed"),
    "declined": N_("Declined"),
    "JP": N_("Japan"),
    "IN": N_("India"),
    "JP_TO_IN": N_("Japan to India"),
    "IN_TO_JP": N_("India to Japan"),
    "partner": N_("Partner"),
    "secretariat": N_("Secretariat"),
    "auditor": N_("Auditor"),
    "reviewer": N_("Reviewer"),
    "undergraduate": N_("Undergraduate"),
    "masters": N_("Master's student"),
    "phd": N_("PhD student"),
    "postdoc": N_("Postdoctoral researcher"),
    "faculty": N_("Faculty"),
    "engineer": N_("Engineer"),
    "professional": N_("Professional"),
}

# Export-control screenings: outcomes, bases, what partners see, holds.
SCREENING = {
    "cleared": N_("Cleared"),
    "licence_required": N_("Licence required"),
    "needs_information": N_("Needs information"),
    "denied": N_("Denied"),
    "list": N_("Listed item"),
    "catch_all": N_("Catch-all control"),
    "screening_pending": N_("Screening pending"),
    "screening_complete": N_("Screening complete"),
    "export_licence_expired": N_("Export licence expired"),
    "licence_expiring": N_("Expires within 30 days"),
}

WORDS = {**STATUSES, **ACTIONS, **FOCUS_AREAS, **REPORTS, **EMAILS, **OTHER, **SCREENING}

# Actions that need a comment (PRODUCT.md's tables): the page shows a comment box for them
# and says it is required; the API still decides.
COMMENT_REQUIRED = frozenset({"request_changes", "reject", "cancel", "decline_hosting"})
# Actions that end something for good are drawn as warning buttons.
WARNING_ACTIONS = frozenset(
    {"reject", "withdraw", "cancel", "decline_hosting", "decline_participation"}
)
# Participation answers go to their own endpoint, not to transitions.
PARTICIPATION = {"confirm_participation": "confirm", "decline_participation": "decline"}
