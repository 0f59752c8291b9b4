"""A list page's number from its query string, and how many pages a total makes."""

from __future__ import annotations

from flask import request

from console.entered import whole_number

# The highest page number read; anything else asked for is page 1.
LAST_PAGE = 999_999


def page_number() -> int:
    """The ``page`` asked for (``?page=``): a whole number from 1, else 1."""
    number = whole_number(request.args.get("page") or "", len(str(LAST_PAGE)))
    return number if isinstance(number, int) and number > 0 else 1


def pages_of(total: int, size: int) -> int:
    """How many pages of ``size`` the ``total`` fills (at least one, empty)."""
    return max(1, -(-total // size))
