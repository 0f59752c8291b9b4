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

# marshmallow's default messages (4.x) of the fields and validators the API's schemas use.
MARSHMALLOW = (
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Not a valid string."),
    N_("Not a valid integer."),
    N_("Not a valid number."),
    N_("Number too large."),
    N_("Not a valid date."),
    N_("Not a valid datetime."),
    N_("Not a valid email address."),
    N_("Not a valid URL."),
    N_("Not a valid boolean."),
    N_("Not a valid list."),
    N_("Invalid value."),
    N_("Invalid input."),
    N_("Invalid type."),
    N_("Unknown field."),
    N_("String does not match expected pattern."),
    N_("Special numeric values (nan or infinity) are not permitted."),
    N_("Length must be between %(min)s and %(max)s."),
    N_("Length must be %(equal)s."),
    N_("Longer than maximum length %(max)s."),
    N_("Shorter than minimum length %(min)s."),
    # Its choices are the API's codes, not words: said as a choice from the list instead.
    "Must be one of: %(choices)s.",
    N_("Must be greater than or equal to %(min)s and less than or equal to %(max)s."),
    N_("Must be greater than or equal to %(min)s."),
    N_("Must be less than or equal to %(max)s."),
)

# The API's own messages of the fields the console's forms send.
API = (
    N_("must not contain NUL characters"),
    N_('a non-negative decimal string, e.g. "1500.50"'),
    N_("send at least one field to change"),
    N_("must be after start_date"),
    N_("a programme lasts at most %(years)s years"),
    N_("between %(min)s and %(max)s partners"),
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
    N_("the actual date is needed for this status"),
    N_("an actual date cannot be in the future"),
    N_("record the arrival before the departure"),
    N_("the departure cannot be before the arrival (%(day)s)"),
)

# Messages said otherwise than the API says them, in English too.
REPHRASED = {"Must be one of: %(choices)s.": N_("Choose one of the options.")}

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@cache
def _known() -> tuple[frozenset[str], tuple[tuple[re.Pattern[str], str], ...]]:
    """The messages without values, and a pattern for each template with values."""
    fixed: set[str] = set()
    patterns: list[tuple[re.Pattern[str], str]] = []
    for template in (*MARSHMALLOW, *API):
        pieces = PLACEHOLDER.split(template)
        if len(pieces) == 1:
            fixed.add(template)
            continue
        # split() alternates text and placeholder names: text, name, text, name, text.
        regex = "".join(
            re.escape(piece) if i % 2 == 0 else f"(?P<{piece}>.+?)"
            for i, piece in enumerate(pieces)
        )
        patterns.append((re.compile(regex, re.DOTALL), template))
    return frozenset(fixed), tuple(patterns)


def translated(message: str) -> str:
    """``message`` in this request's language if the console knows it, else as it came."""
    if not isinstance(message, str):
        return message
    fixed, patterns = _known()
    if message in fixed:
        return gettext(message)
    for pattern, template in patterns:
        found = pattern.fullmatch(message)
        if found and template in REPHRASED:
            return gettext(REPHRASED[template])
        if found:
            return gettext(template, **found.groupdict())
    return message
