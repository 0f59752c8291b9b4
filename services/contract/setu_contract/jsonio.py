"""JSON text written by the services (the APIs' answers, the databases' JSON columns) and the
JSON columns read back: orjson, several times faster than the standard library.

Turning a list page of twenty programmes into JSON, and reading their parts' JSON arrays
from PostgreSQL, took more than a quarter of the page's CPU with the standard library
(docs/performance.md, *Answers written once*).

What it writes differs from ``json.dumps`` in three ways, none of them for the data the
services hold:
- text outside ASCII is written as UTF-8, not as ``\\u`` escapes (both are valid JSON);
- NaN and infinities are written as ``null`` (``json.dumps`` writes ``NaN``, not JSON);
- an integer beyond 64 bits raises ``TypeError``, as a ``Decimal`` does. orjson would read
  it back as a float, so nothing is written that ``loads`` would not read back as written.

Dates, datetimes and dataclasses are handed to ``default``, as ``json.dumps`` hands them, so
each caller keeps its own rule: Flask's (RFC 822 dates), or none (``TypeError``).

Request bodies are not read here: webargs reads them with the standard library, which keeps
integers of any size as integers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

# Keys that are not text are written as text, as json.dumps writes them.
_OPTIONS = (
    orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS
)

loads: Callable[[str | bytes], Any] = orjson.loads
"""JSON text (or UTF-8 bytes) that ``dumps`` wrote, to the value; ``ValueError`` if invalid."""


def dumps(
    value: Any,
    default: Callable[[Any], Any] | None = None,
    sort_keys: bool = False,
    indent: bool = False,
) -> str:
    """``value`` as compact JSON text; ``default`` converts what JSON cannot hold, or raises
    ``TypeError``."""
    option = _OPTIONS
    if sort_keys:
        option |= orjson.OPT_SORT_KEYS
    if indent:
        option |= orjson.OPT_INDENT_2
    return orjson.dumps(value, default=default, option=option).decode()
