"""The programmes this process has read, kept while no programme or organisation has changed since.

Reading a programme was its one statement and the ORM around it: two thirds of a
``GET /v1/programmes/{id}``'s CPU in the API and the whole of PostgreSQL's. Programmes are
read far more often than they are written (partners and the secretariat look at the same
programmes through a review), so a process keeps each programme's snapshot it reads, under
the programmes' generation (store.generation: ``setu:programmes:<database>:generation``), which
is replaced after every commit that writes a programme, its partners, budget, approvals or an
organisation (whose name and country a snapshot shows).

- The generation is read in the round trip that counts the request against the rate limit
  (api.identity), before any statement: a kept programme costs no query and no round trip.
- A write that commits between that read and the programme's row leaves the row kept under
  an old generation: it is read again on the next request. A client answered a write is
  never then answered the programme from before it, by any process.
- Who may read a programme is decided on every request, from the kept snapshot's partners.
- With Redis away nothing is kept or used. A programme is kept for MAX_AGE_SECONDS at most:
  the bound on a write whose new generation never reached Redis.

Writes are seen through the ORM (rows of the watched classes flushed in a session made by the
watched sessionmaker). A statement that changes those tables without the ORM must call
``changed`` itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from programmes.store.committed_writes import after_committed_writes
from programmes.store.generation import Generation
from programmes.store.models import (
    BudgetLine,
    Organisation,
    Programme,
    ProgrammeApproval,
    ProgrammePartner,
)
from programmes.store.redis_guard import GuardedRedis

MAX_AGE_SECONDS = 30.0
# A few thousand snapshots of a few kilobytes each; past it the oldest kept goes first.
MAX_PROGRAMMES = 5_000

# What a programme's snapshot is made of.
WATCHED = (Programme, ProgrammePartner, BudgetLine, ProgrammeApproval, Organisation)


@dataclass(frozen=True)
class KeptProgramme:
    snapshot: dict[str, Any]
    generation: bytes
    kept_at: float  # time.monotonic()


class KeptProgrammes:
    def __init__(
        self,
        guard: GuardedRedis,
        database_url: str,
        max_age: float = MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.token = Generation(guard, "programmes", database_url, "Programmes", max_age)
        self.generation_key = self.token.key
        self.max_age = max_age
        self.clock = clock
        self._kept: dict[str, KeptProgramme] = {}
        self._lock = threading.Lock()

    def get(self, programme_id: str, generation: bytes | None) -> dict[str, Any] | None:
        """The kept snapshot of ``programme_id``, if it was read under ``generation`` (just read
        from Redis; None when Redis is away) and is young enough."""
        kept = self._kept.get(programme_id)
        if (
            kept is None
            or generation is None
            or kept.generation != generation
            or self.clock() - kept.kept_at >= self.max_age
        ):
            return None
        return kept.snapshot

    def keep(self, snapshot: dict[str, Any], generation: bytes | None) -> None:
        """Keep ``snapshot``, read from the database under ``generation`` (read before it)."""
        if generation is None:
            return
        with self._lock:
            if len(self._kept) >= MAX_PROGRAMMES and snapshot["id"] not in self._kept:
                del self._kept[next(iter(self._kept))]
            self._kept[snapshot["id"]] = KeptProgramme(snapshot, generation, self.clock())

    def generation(self) -> bytes | None:
        """The programmes' generation (made if Redis has none), for a request whose round trip
        did not read it; None when Redis is away."""
        return self.token.read()

    def changed(self, _names: Iterable[str] = ()) -> None:
        """A new generation: every kept programme is read again. Call after a commit that
        wrote a programme or an organisation."""
        self.token.renew()

    def watch(self, sessions: sessionmaker[Session]) -> None:
        """Call ``changed`` after every commit of ``sessions`` that wrote what a programme's
        snapshot shows."""
        after_committed_writes(sessions, {"programmes": WATCHED}, self.changed)
