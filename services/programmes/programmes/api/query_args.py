"""Query strings parsed once: a list read again with the same query costs no schema load.

A page of a list is read over and over with the same query string (``?page_size=20&page=3``);
webargs and marshmallow loading it again was a tenth of a kept page's CPU. The query schemas
are pure (the same string always loads to the same scalars or fails the same way), so what a
string loaded to is kept, per schema, and each request gets its own copy. Errors are not kept:
a bad query string goes through the schema each time and answers its 422 as before.
"""

from __future__ import annotations

import datetime
import decimal
from typing import Any

import marshmallow as ma

from setu_contract.request_json import BodyParser

# What a loaded query may hold for it to be kept: values no view can change in place.
_SCALARS = (str, int, float, bool, decimal.Decimal, datetime.date, type(None))
_QUERY = ("query", "querystring")


def _immutable(value: Any) -> bool:
    """Whether no view can change ``value`` in place: a scalar, or a tuple of them (a
    repeatable filter's values)."""
    if isinstance(value, tuple):
        return all(isinstance(item, _SCALARS) for item in value)
    return isinstance(value, _SCALARS)


class QueryArgumentsParser(BodyParser):
    """The services' parser (bodies read by ``setu_contract.request_json``), keeping what each
    query string loaded to (at most ``MAX_KEPT`` strings; all forgotten when full, as query
    strings are the client's to choose)."""

    MAX_KEPT = 512

    def __init__(self) -> None:
        super().__init__()
        self._loaded: dict[tuple[ma.Schema, bytes, Any], dict[str, Any]] = {}

    def parse(self, argmap: Any, req: Any = None, *, location: str | None = None, **kwargs: Any):
        if (
            location not in _QUERY
            or kwargs.get("validate") is not None
            or not isinstance(argmap, ma.Schema)
        ):
            return super().parse(argmap, req, location=location, **kwargs)
        req = req if req is not None else self.get_default_request()
        key = (argmap, req.query_string, kwargs.get("unknown"))
        loaded = self._loaded.get(key)
        if loaded is None:
            loaded = super().parse(argmap, req, location=location, **kwargs)
            if not isinstance(loaded, dict) or not all(map(_immutable, loaded.values())):
                return loaded
            if len(self._loaded) >= self.MAX_KEPT:
                self._loaded.clear()
            self._loaded[key] = loaded
        return dict(loaded)  # the view may pop from it
