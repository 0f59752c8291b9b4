"""Words for codes (statuses, career stages, directions, partner roles, report types): English
messages of the service's catalogues, translated where an email shows them."""

from __future__ import annotations

from babel.support import NullTranslations

from setu_contract import words as shared
from setu_contract.translations import N_

STATUS = {
    "draft": N_("draft"),
    "submitted": N_("submitted"),
    "under_review": N_("under review"),
    "changes_requested": N_("changes requested"),
    "approved": N_("approved"),
    "rejected": N_("rejected"),
    "active": N_("active"),
    "completed": N_("completed"),
    "cancelled": N_("cancelled"),
    "withdrawn": N_("withdrawn"),
    "endorsed": N_("endorsed"),
    "accepted": N_("accepted"),
    "waitlisted": N_("waitlisted"),
    "offered": N_("offered a slot"),
}

CAREER_STAGE = {
    "undergraduate": N_("undergraduate student"),
    "masters": N_("master's student"),
    "phd": N_("doctoral student"),
    "postdoc": N_("postdoctoral researcher"),
    "faculty": N_("faculty member"),
    "engineer": N_("engineer"),
    "professional": N_("professional"),
}

DIRECTION = {"JP_TO_IN": N_("Japan → India"), "IN_TO_JP": N_("India → Japan")}

SIDE = {"JP": N_("Japanese"), "IN": N_("Indian")}

PARTNER_ROLE = {"lead": N_("lead partner"), "member": N_("member partner")}

# A report's title, as the console and the report itself write it.
REPORT_TYPE = shared.REPORT_TYPES


MOBILITY_ITEM = {
    "certificate_of_eligibility": N_("Certificate of Eligibility"),
    "visa": N_("visa"),
    "research_visa": N_("research visa"),
    "residence_card": N_("residence card"),
    "frro_registration": N_("FRRO registration"),
    "insurance": N_("insurance"),
    "housing": N_("housing"),
    "arrival": N_("arrival"),
    "departure": N_("departure"),
}


def words_for(words: NullTranslations, table: dict[str, str], codes: list[str] | None) -> str:
    """The words for ``codes``, joined by commas, in the language of ``words``."""
    return ", ".join(word(words, table, code) for code in codes or [])


def word(words: NullTranslations, table: dict[str, str], code: str | None) -> str:
    """The word for ``code`` in the language of ``words``; a code without one as it is."""
    if code is None:
        return ""
    english = table.get(code)
    return words.gettext(english) if english else code
