"""Who is calling, as the gateway vouched for it in the signed X-Setu-* headers.

Reports aggregate every organisation's data, so they are for the secretariat and auditors:
a partner key is refused with 403. Auditors read everything and write nothing, but asking
for a report is reading, so they may request reports; schedules are secretariat-only to write.
"""

from __future__ import annotations

from reports.api.context import context
from setu_contract.edge import identify_signed, require_role
from setu_contract.http import Principal

READERS = ("secretariat", "auditor")


def readers_only() -> None:
    """before_request of the reports' and schedules' blueprints: the gateway's signed
    identity (else 401) of the secretariat or an auditor (else 403)."""
    identify_signed(context().config.internal_secret)
    require_role(READERS, "Reports are for the secretariat and auditors.")


def secretariat() -> Principal:
    return require_role(("secretariat",), "Only the secretariat may change report schedules.")
