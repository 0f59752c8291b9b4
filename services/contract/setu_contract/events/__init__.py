"""The event contract: the envelope every event travels in, the event types and the schema
of each type's data.

- ``envelope``: ``EVENT_VERSION``, the ``Envelope`` schema, ``build_event``, ``parse_event``,
  ``aggregate_of`` and ``InvalidEvent``.
- ``types``: ``EventType``, each type's data schema (``DATA_SCHEMAS``), its aggregate
  (``AGGREGATE_OF``) and the families consumers route by (``PERSON_EVENTS``, ...).
- ``data``: the schema of each type's data.

Callers import from here (``from setu_contract.events import build_event``).
"""

from setu_contract.events.envelope import (
    EVENT_VERSION,
    Envelope,
    InvalidEvent,
    aggregate_of,
    build_event,
    parse_event,
)
from setu_contract.events.types import (
    AGGREGATE_OF,
    CALL_EVENTS,
    DATA_SCHEMAS,
    PERSON_EVENTS,
    REVIEW_EVENTS,
    SCREENING_EVENTS,
    EventType,
)

__all__ = [
    "AGGREGATE_OF",
    "CALL_EVENTS",
    "DATA_SCHEMAS",
    "EVENT_VERSION",
    "PERSON_EVENTS",
    "REVIEW_EVENTS",
    "SCREENING_EVENTS",
    "Envelope",
    "EventType",
    "InvalidEvent",
    "aggregate_of",
    "build_event",
    "parse_event",
]
