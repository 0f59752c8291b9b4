"""The words the OpenAPI document's operations are described with, and the shape of an
operation's description (``setu.openapi_operations`` applies them)."""

from __future__ import annotations

from dataclasses import dataclass

METHODS = ("get", "post", "put", "patch", "delete")
SECURED = (401, 429, 503)
BODY = (400, 413, 415, 422)


@dataclass(frozen=True)
class Operation:
    operation_id: str
    who: str
    when: str
    answers: tuple[int, ...] = ()


ANY_KEY = "any valid key."
READERS = "the secretariat and auditors (a partner: 403)."
SECRETARIAT = "the secretariat of either side (anyone else: 403)."
PARTIES = (
    "its partners and the organisations named in it, the secretariat and auditors; "
    "anyone else is answered 404, as if it did not exist."
)
APPLICATION_PARTIES = (
    "the home and host organisations, the secretariat and auditors; anyone else: 404."
)

MANAGERS = (
    "the organisation itself (its partner keys and people) and the secretariat, for partner "
    "organisations, expert panels and its own side (the other side's: 403); auditors: 403."
)
SESSION = "a signed-in person's own session (a key: 403)."
# People, sign-in and sessions (issue 29).
