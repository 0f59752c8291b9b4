"""The marshmallow fields of every service for values a client sends that marshmallow's own
accept beyond what the code behind them can hold.

- ``Integer``: beyond 64 bits, an integer reached the database and failed there (500):
  ``after_position=99999999999999999999``.
- ``AwareDateTime``: a time with an offset that has no UTC equivalent
  (``0001-01-01T00:00:00+14:00`` is in year 0 in UTC) overflowed where it was compared or
  stored (500).
- ``Text``: a NUL character reached PostgreSQL, whose text cannot hold one (500).
- ``EmailAddress``: an address at an IP literal (``a@[127.0.0.1]``, ``a@127.0.0.1``) or
  with characters outside ASCII passed marshmallow's check and then failed at the SMTP
  server, a dead letter instead of a 422.

Each is a subclass of marshmallow's field, so the OpenAPI document describes it as before.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from marshmallow import ValidationError, fields

from setu_contract.request_json import MAX_INTEGER, MIN_INTEGER

# The last label of a host name is never all digits (RFC 3696, 2): such a domain is an
# IPv4 address.
_NUMERIC_LABEL = re.compile(r"^[0-9]+$")


class Text(fields.String):
    """A string without NUL characters, which PostgreSQL text cannot hold."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise ValidationError("must not contain NUL characters")
        return text


class Integer(fields.Integer):
    """An integer that fits in 64 bits (a BIGINT column); anything larger is a field error."""

    def _validated(self, value: Any) -> int:
        number = super()._validated(value)
        if number is not None and not MIN_INTEGER <= number <= MAX_INTEGER:
            raise ValidationError(f"must be between {MIN_INTEGER} and {MAX_INTEGER}")
        return number


class AwareDateTime(fields.AwareDateTime):
    """A time with an offset, which must also be a time in UTC (years 1 to 9999)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            moment.astimezone(UTC)
        except OverflowError:
            raise ValidationError("the time is outside the years 1 to 9999 in UTC") from None
        return moment


class EmailAddress(fields.Email):
    """An email address Setu can deliver to: ASCII only, at a domain name, not an IP
    literal."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        address = super()._deserialize(value, attr, data, **kwargs)
        if not address.isascii():
            raise ValidationError("use an address in ASCII characters only")
        domain = address.rpartition("@")[2]
        if domain.startswith("[") or _NUMERIC_LABEL.match(domain.rsplit(".", 1)[-1]):
            raise ValidationError("use an address at a domain name, not an IP address")
        return address
