"""The words for the codes that more than one service shows a person: one English word for
each, and one translation in the contract's catalogue (``setu_contract/locale``).

A status, a focus area or a career stage reads the same on a console page, in a report and
in an email's table, in every language: the minister's office that compares a report with
the console finds the same word in both. Every service's catalogue falls back on this one
(``translations.Catalogues``), and a test keeps a service from translating these words
again in its own. Words said inside a sentence (an email's "is now approved") are the
services' own messages, not these.
"""

from __future__ import annotations

from setu_contract.translations import N_

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

# Programmes' statuses (vocabulary.PROGRAMME_STATUSES, in their order), then applications'.
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
    "offered": N_("Offered a slot"),
}

CAREER_STAGES = {
    "undergraduate": N_("Undergraduate"),
    "masters": N_("Master's student"),
    "phd": N_("Doctoral student"),
    "postdoc": N_("Postdoctoral researcher"),
    "faculty": N_("Faculty member"),
    "engineer": N_("Engineer"),
    "professional": N_("Professional"),
}

COUNTRIES = {"JP": N_("Japan"), "IN": N_("India")}
DIRECTIONS = {"JP_TO_IN": N_("Japan to India"), "IN_TO_JP": N_("India to Japan")}

# A call's statuses after its draft (a draft call is "Draft", as above).
CALL_STATUSES = {
    "open": N_("Open"),
    "closed": N_("Closed"),
    "decided": N_("Decided"),
}

# An export-control screening's outcomes, and the state of a licence it names.
SCREENING_OUTCOMES = {
    "cleared": N_("Cleared"),
    "licence_required": N_("Licence required"),
    "needs_information": N_("Needs information"),
    "denied": N_("Denied"),
}
LICENCE_STATES = {
    "valid": N_("Valid"),
    "expiring": N_("Expires within 30 days"),
    "expired": N_("Expired"),
}

# The reports a person may ask for (vocabulary.REPORT_TYPES), by the title each one has.
REPORT_TYPES = {
    "programme_portfolio": N_("Programme portfolio"),
    "exchange_flows": N_("Talent-exchange flows"),
    "partner_activity": N_("Partner activity"),
    "budget_commitments": N_("Budget commitments"),
    "call_outcomes": N_("Call outcomes"),
    "compliance": N_("Export-control compliance"),
}
