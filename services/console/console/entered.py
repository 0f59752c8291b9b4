"""What a person typed, read as the API wants it.

A field is passed on as entered when it is not what the API asks for: the API says what is
wrong with it, and the page shows that beside the field.
"""

from __future__ import annotations

# A whole number of more digits than this is passed on as entered (the API refuses it).
DIGITS = 9


def whole_number(text: str, digits: int = DIGITS) -> int | str | None:
    """``text`` as a whole number when it is one: ASCII digits, at most ``digits`` of them;
    else as entered (None when empty). ``str.isdigit`` alone would let through what ``int``
    refuses ("²", or 5,000 digits) and fail the page."""
    if text.isascii() and text.isdigit() and len(text) <= digits:
        return int(text)
    return text or None
