"""The words the events carry, shared by the service that writes them and those that count them.

docs/product.md defines them; a producer validates against them and a consumer groups by them.
"""

FOCUS_AREAS = (
    "semiconductor_design",
    "semiconductor_manufacturing",
    "semiconductor_packaging",
    "supply_chain_resilience",
    "ai_research",
    "ai_healthcare",
    "ai_agriculture",
    "ai_urban_planning",
    "ai_ethics_governance",
    "talent_development",
)

PROGRAMME_STATUSES = (
    "draft",
    "submitted",
    "under_review",
    "changes_requested",
    "approved",
    "rejected",
    "active",
    "completed",
    "withdrawn",
    "cancelled",
)

CAREER_STAGES = (
    "undergraduate",
    "masters",
    "phd",
    "postdoc",
    "faculty",
    "engineer",
    "professional",
)

# The report types the reports API makes (docs/reports.md), in the order a person is offered them.
REPORT_TYPES = (
    "programme_portfolio",
    "exchange_flows",
    "partner_activity",
    "budget_commitments",
    "call_outcomes",
    "compliance",
)
