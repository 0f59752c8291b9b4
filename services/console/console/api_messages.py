"""The API's field messages in the person's language.

The API answers its 422s in English: marshmallow's default messages and the API's own rules.
The console shows each message beside its field, translated through its own catalogue when
it is one it knows; a message it does not know is shown as the API wrote it. Messages with
values in them (``Length must be between 5 and 200.``) are known by their English template:
the values are put back into the translated one.
"""

from __future__ import annotations

import re
from functools import cache

from console.translations import N_, gettext

# marshmallow's default messages (4.x) of the fields and validators the API's schemas use,
# each said as a sentence a person acts on (GOV.UK's error messages: what to do, not what
# the parser found). Those that name a length or a range mean characters for a text field
# and items for a list: a list field of the forms has its own sentence (FIELD_SENTENCES).
MARSHMALLOW: dict[str, str] = {
    "Missing data for required field.": N_("Fill in this field."),
    "Field may not be null.": N_("Fill in this field."),
    "Not a valid string.": N_("Enter text here."),
    "Not a valid integer.": N_("Enter a whole number, like 4."),
    "Not a valid number.": N_("Enter a number, like 1500.50."),
    "Number too large.": N_("Enter a smaller number."),
    "Not a valid date.": N_("Enter a real date as year-month-day, like 2027-04-01."),
    "Not a valid datetime.": N_("Enter a real date and time."),
    "Not a valid email address.": N_("Enter an email address, like name@example.org."),
    "Not a valid URL.": N_("Enter a web address, like https://example.org/setu."),
    "Not a valid boolean.": N_("Choose yes or no."),
    "Not a valid list.": N_("Choose from the list."),
    "Invalid value.": N_("Check this value."),
    "Invalid input.": N_("Check this value."),
    "Invalid type.": N_("Check this value."),
    "Unknown field.": N_("Setu does not take this field."),
    "String does not match expected pattern.": N_("Check how this is written."),
    "Special numeric values (nan or infinity) are not permitted.": N_("Enter a number."),
    "Length must be between %(min)s and %(max)s.": N_(
        "Enter between %(min)s and %(max)s characters."
    ),
    "Length must be %(equal)s.": N_("Enter exactly %(equal)s characters."),
    "Longer than maximum length %(max)s.": N_("Enter %(max)s characters or fewer."),
    "Shorter than minimum length %(min)s.": N_("Enter at least %(min)s characters."),
    # Its choices are the API's codes, not words: said as a choice from the list instead.
    "Must be one of: %(choices)s.": N_("Choose one of the options."),
    "Must be greater than or equal to %(min)s and less than or equal to %(max)s.": N_(
        "Enter a number from %(min)s to %(max)s."
    ),
    "Must be greater than or equal to %(min)s.": N_("Enter %(min)s or more."),
    "Must be less than or equal to %(max)s.": N_("Enter %(max)s or less."),
}

# A length of a list field is a number of things chosen or entered, said as such; by the
# field's name (its last part that is not a row number) and marshmallow's template.
FIELD_SENTENCES: dict[tuple[str, str], str] = {
    # A call's lists (1 to 10 focus areas, 1 to 20 criteria): the form's only way to break
    # them is to leave them empty.
    ("focus_areas", "Length must be between %(min)s and %(max)s."): N_(
        "Choose at least one focus area."
    ),
    ("criteria", "Length must be between %(min)s and %(max)s."): N_(
        "Give at least one criterion, with its weight."
    ),
    ("partners", "Length must be between %(min)s and %(max)s."): N_(
        "Choose between %(min)s and %(max)s partner organisations."
    ),
    ("partners", "Shorter than minimum length %(min)s."): N_(
        "Choose at least %(min)s partner organisations."
    ),
    ("partners", "Longer than maximum length %(max)s."): N_(
        "Choose %(max)s partner organisations or fewer."
    ),
    ("budget", "Longer than maximum length %(max)s."): N_("Enter %(max)s budget lines or fewer."),
    ("recipients", "Longer than maximum length %(max)s."): N_(
        "Enter %(max)s email addresses or fewer."
    ),
    ("event_types", "Shorter than minimum length %(min)s."): N_("Choose at least %(min)s events."),
    ("event_types", "Length must be between %(min)s and %(max)s."): N_(
        "Choose between %(min)s and %(max)s events."
    ),
}

CRON = (
    "%(expression)s is not a cron expression of five fields "
    "(minute hour day-of-month month day-of-week), e.g. '0 9 * * 1'"
)

# The API's own messages of the fields the console's forms send.
API = (
    N_("must not contain NUL characters"),
    N_('a non-negative decimal string, e.g. "1500.50"'),
    N_("send at least one field to change"),
    N_("must be after start_date"),
    N_("a programme lasts at most %(years)s years"),
    "between %(min)s and %(max)s partners",
    N_("an organisation appears more than once"),
    N_("no such organisation: %(ids)s"),
    N_("the creating organisation must be one of the partners"),
    N_("payer %(organisation)s is not a partner"),
    N_("amount %(amount)s: must be a number"),
    N_("amount %(amount)s: must not be negative"),
    N_("amount %(amount)s: %(currency)s amounts allow at most %(places)s decimal places"),
    N_("a submitted programme needs exactly one lead from JP and one from IN"),
    N_("must be a partner of the programme"),
    N_("must be in the other country than the home"),
    N_("is in the past: move it before submitting"),
    N_("not a programme you take part in"),
    N_("not yours"),
    N_("not an ISO 3166 alpha-2 code"),
    N_("required for this action"),
    N_("must be in the future"),
    N_("not an IANA time zone"),
    N_("already a person's"),
    N_("not right"),
    N_("digits only"),
    N_("end must not be before start"),
    N_("a period covers at most %(days)s days"),
    N_("a secretariat organisation has only secretariat and auditor keys"),
    N_("an expert panel has no keys: its reviewers sign in as people"),
    N_("%(role)s keys exist only on secretariat organisations"),
    N_("people of a %(kind)s organisation are %(roles)s"),
    # Calls for proposals and expert review.
    N_("the call closed at %(closes_at)s (%(zone)s); it takes no more proposals"),
    N_("the call opens at %(opens_at)s (%(zone)s); submit after it opens"),
    N_("must be after opens_at"),
    N_("not an IANA time zone, e.g. Asia/Tokyo"),
    N_('a non-negative decimal string, e.g. "1500"'),
    N_("a year between 2000 and 2199"),
    N_("min_partners must not be more than max_partners"),
    N_("each criterion key appears once"),
    N_("required for a conflict"),
    N_("a conflict needs its reason"),
    N_("score every criterion; missing: %(keys)s"),
    N_("a comment is required"),
    N_("a person of a partner organisation of the programme cannot review it"),
    N_("the person is a %(role)s, not a reviewer"),
    N_("the reviewer is already assigned to this programme"),
    N_("the call asks for %(count)s reviewers per proposal; it has them"),
    N_("reviewers are assigned once review has started, not while %(status)s"),
    # The reports service's, of a schedule (said otherwise: API_SENTENCES).
    CRON,
    "%(expression)s never fires",
    "%(name)s is not an IANA time zone (e.g. Asia/Tokyo)",
    "%(name)s is not an IANA time zone",
    "%(address)s is not a recipient of Setu",
    N_("the actual date is needed for this status"),
    N_("an actual date cannot be in the future"),
    N_("record the arrival before the departure"),
    N_("the departure cannot be before the arrival (%(day)s)"),
)

# The API's own messages said otherwise than the API says them.
API_SENTENCES = {
    CRON: N_(
        "Enter five fields: minute, hour, day of the month, month and day of the week, "
        "like 0 9 * * 1 (09:00 every Monday)."
    ),
    "%(expression)s never fires": N_("This time never comes: check the day and the month."),
    "%(name)s is not an IANA time zone (e.g. Asia/Tokyo)": N_(
        "Choose a time zone, like Asia/Tokyo."
    ),
    "%(name)s is not an IANA time zone": N_("Choose a time zone, like Asia/Tokyo."),
    "%(address)s is not a recipient of Setu": N_(
        "Setu emails reports only to the secretariat and to organisations' contact "
        "addresses, not to %(address)s."
    ),
    "between %(min)s and %(max)s partners": N_(
        "Choose between %(min)s and %(max)s partner organisations."
    ),
}
SENTENCES = {**MARSHMALLOW, **API_SENTENCES}

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
ROW = re.compile(r"^\d+$")


@cache
def _known() -> tuple[dict[str, str], tuple[tuple[re.Pattern[str], str], ...]]:
    """The messages without values (to what is shown), and a pattern for each template
    with values."""
    fixed: dict[str, str] = {}
    patterns: list[tuple[re.Pattern[str], str]] = []
    for template, shown in (*MARSHMALLOW.items(), *((t, t) for t in API)):
        pieces = PLACEHOLDER.split(template)
        if len(pieces) == 1:
            fixed[template] = shown
            continue
        # split() alternates text and placeholder names: text, name, text, name, text.
        regex = "".join(
            re.escape(piece) if i % 2 == 0 else f"(?P<{piece}>.+?)"
            for i, piece in enumerate(pieces)
        )
        patterns.append((re.compile(regex, re.DOTALL), template))
    return fixed, tuple(patterns)


def _field_name(field: str | None) -> str:
    """``partners`` of ``partners``, ``json.partners`` or ``partners.0``: the last part
    that is not a row number."""
    parts = [part for part in (field or "").split(".") if not ROW.match(part)]
    return parts[-1] if parts else ""


def translated(message: str, field: str | None = None) -> str:
    """``message`` (of ``field``, if named) in this request's language, said as a sentence
    a person understands, if the console knows it; else as it came."""
    if not isinstance(message, str):
        return message
    fixed, patterns = _known()
    if message in fixed:
        return gettext(fixed[message])
    name = _field_name(field)
    for pattern, template in patterns:
        found = pattern.fullmatch(message)
        if not found:
            continue
        shown = FIELD_SENTENCES.get((name, template)) or SENTENCES.get(template) or template
        values = {k: v for k, v in found.groupdict().items() if f"%({k})s" in shown}
        return gettext(shown, **values)
    return message
