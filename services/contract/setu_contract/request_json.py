"""Request bodies read as JSON by every service, with limits a client cannot break.

The standard library reads any JSON text, however odd, and what it builds broke the code
behind it: an integer of 5,000 digits raised ``ValueError`` (Python refuses to convert more
than 4,300 digits), JSON nested 1,000 deep ran out of recursion, ``NaN`` and ``Infinity``
(not JSON at all) reached the database, and a duplicated key silently kept its last value.
``loads`` refuses each of them with ``InvalidJson`` (a ``json.JSONDecodeError``), which the
services answer as any malformed body: 400. ``BodyParser`` is webargs' Flask parser reading
bodies this way; every blueprint of the services (``Blueprint``) uses it, and
``http.JSONProvider`` reads with it too, so ``request.get_json()`` holds the same limits.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, NoReturn

import flask_smorest
from webargs import core
from webargs.flaskparser import FlaskParser, abort

# Deep enough for any body of the API (the deepest nests four levels), shallow enough that
# nothing reading it recursively runs out of stack.
MAX_DEPTH = 32
# Integers a database column (BIGINT) and the services' JSON writer can hold.
MAX_INTEGER = 2**63 - 1
MIN_INTEGER = -(2**63)
_MAX_INTEGER_CHARACTERS = len(str(MIN_INTEGER))

# A \u escape of a UTF-16 surrogate: valid in pairs (an emoji), never alone (no database
# stores a lone one, and UTF-8 cannot encode it).
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")


class InvalidJson(json.JSONDecodeError):
    """A body that is not JSON, or JSON beyond the limits above; ``reason`` says which."""

    def __init__(self, reason: str, document: str, position: int = 0):
        super().__init__(reason, document, position)
        self.reason = reason


def _depth(data: bytes) -> int:
    """How deep ``data`` nests arrays and objects (strings' contents do not count), or 0
    when it holds too few brackets to pass MAX_DEPTH."""
    if len(data.translate(None, _NOT_BRACKETS)) <= MAX_DEPTH:
        return 0  # within the limit: it cannot nest deeper than it has brackets (most bodies)
    brackets = _STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    depth = deepest = 0
    for byte in brackets:
        depth += 1 if byte in b"[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _refuse(reason: str) -> NoReturn:
    raise InvalidJson(reason, "(the request body)")


def _integer(text: str) -> int:
    if len(text) > _MAX_INTEGER_CHARACTERS:
        _refuse("an integer in the body has more digits than 64 bits hold")
    value = int(text)
    if not MIN_INTEGER <= value <= MAX_INTEGER:
        _refuse("an integer in the body is beyond 64 bits")
    return value


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        _refuse("a number in the body is too large to hold")
    return value


def _constant(name: str) -> NoReturn:
    _refuse(f"{name} is not JSON: send numbers as digits")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                _refuse(f"the key {key[:50]!r} appears twice in one object")
            seen.add(key)
    return value


def loads(data: str | bytes) -> Any:
    """The value of the JSON text ``data`` (UTF-8 when bytes); ``InvalidJson`` when it is not
    JSON, nests deeper than MAX_DEPTH, holds an integer beyond 64 bits, a number too large
    for a float, NaN or an infinity, one key twice in an object, or a lone surrogate."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidJson("the body is not UTF-8", "(the request body)", error.start) from None
    if _depth(raw) > MAX_DEPTH:
        _refuse(f"the body nests arrays and objects deeper than {MAX_DEPTH} levels")
    try:
        value = json.loads(
            text,
            parse_int=_integer,
            parse_float=_number,
            parse_constant=_constant,
            object_pairs_hook=_object,
        )
    except InvalidJson:
        raise
    except json.JSONDecodeError as error:
        raise InvalidJson(error.msg, error.doc, error.pos) from None
    except RecursionError:  # pragma: no cover - MAX_DEPTH stops it first
        _refuse("the body nests too deep")
    if _SURROGATE_ESCAPE.search(raw):
        _without_lone_surrogates(value)
    return value


def _without_lone_surrogates(value: Any) -> None:
    """Refuse ``value`` if a text in it holds half a surrogate pair (only an escape makes one:
    UTF-8 bytes cannot)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        _refuse("a text in the body holds half of a UTF-16 surrogate pair")


class BodyParser(FlaskParser):
    """webargs' Flask parser, reading JSON bodies with ``loads``: a body it refuses answers
    400 with the reason under ``errors``, as any malformed body does. A query string is held
    to its schema as a body is: a parameter the route does not take (``?statuss=draft``) is
    a 422 naming it, not dropped, so that a misspelt filter never lists everything."""

    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": None,
        "querystring": None,
    }

    def _raw_load_json(self, req: Any) -> Any:
        if not core.is_json(req.mimetype):
            return core.missing
        data = req.get_data(cache=True)
        if not data:
            return core.missing
        return loads(data)

    def _handle_invalid_json_error(
        self, error: Any, req: Any, *args: Any, **kwargs: Any
    ) -> NoReturn:
        reason = getattr(error, "reason", None) or "not valid JSON"
        abort(400, exc=error, messages={"json": [f"Invalid JSON body: {reason}."]})


# Set on a view that reads a JSON body: a write to it must send one (``edge.require_json_body``).
READS_JSON = "setu_reads_json"


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's blueprint, its arguments read by ``BodyParser``: the one blueprint
    class the services build on. A view that reads its arguments from a JSON body is marked
    ``READS_JSON``."""

    ARGUMENTS_PARSER = BodyParser()

    def arguments(self, schema: Any, *, location: str = "json", **kwargs: Any) -> Any:
        decorate = super().arguments(schema, location=location, **kwargs)
        if location != "json":
            return decorate

        def marked(view: Any) -> Any:
            reading = decorate(view)
            setattr(reading, READS_JSON, True)  # later decorators copy it (functools.wraps)
            return reading

        return marked
