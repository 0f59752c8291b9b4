"""What this process has read of programmes, kept while no programme or organisation has changed.

Reading a programme was its one statement and the ORM around it: two thirds of a
``GET /v1/programmes/{id}``'s CPU in the API and the whole of PostgreSQL's; a list page, its
statement over the partner index and twenty snapshots. Programmes are read far more often
than they are written (partners and the secretariat look at the same programmes and the same
first pages through a review), so a process keeps each programme and each list page it reads
under the programmes' generation (store.generation: ``setu:programmes:<database>:generation``),
which is replaced after every commit that writes a programme, its partners, budget, approvals
or an organisation (whose name and country a snapshot shows).

- The generation is read in the round trip that counts the request against the rate limit
  (api.identity), before any statement: a kept read costs no query and no round trip.
- A write that commits between that read and the rows leaves them kept under an old
  generation: they are read again on the next request. A client answered a write is never
  then answered a programme or a page from before it, by any process.
- Who may read a programme is decided on every request, from the kept snapshot's partners; a
  page is kept under the scope it was read for (the partners it was limited to, the filters).
- With Redis away nothing is kept or used. What is kept is used for 30 s at most
  (store.generation): the bound on a write whose new generation never reached Redis.
- At most MAX_SNAPSHOTS snapshots are kept (a page counts its items); past it the oldest
  kept goes first.

Writes are seen through the ORM (rows of the watched classes flushed in a session made by the
watched sessionmaker). A statement that changes those tables without the ORM must call
``changed`` itself.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from programmes.store.committed_writes import after_committed_writes
from programmes.store.generation import Keeper
from programmes.store.models import (
    BudgetLine,
    Organisation,
    Programme,
    ProgrammeApproval,
    ProgrammePartner,
)

# Snapshots of a few kilobytes each: some tens of megabytes at most.
MAX_SNAPSHOTS = 10_000

# What a programme's snapshot is made of.
WATCHED = (Programme, ProgrammePartner, BudgetLine, ProgrammeApproval, Organisation)


@dataclass(frozen=True)
class Kept:
    value: Any
    generation: bytes
    kept_at: float  # time.monotonic()
    weight: int  # how many snapshots it holds


class KeptProgrammes(Keeper):
    NAME, WHAT = "programmes", "Programmes"
    _kept: dict[Hashable, Kept]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._weight = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable, generation: bytes | None) -> Any | None:
        """What is kept under ``key``, if it was read under ``generation`` (just read from
        Redis; None when Redis is away) and is young enough."""
        kept = self._kept.get(key)
        if kept is None or not self.fresh(kept.generation, kept.kept_at, generation):
            return None
        return kept.value

    def keep(self, key: Hashable, value: Any, generation: bytes | None, weight: int = 1) -> None:
        """Keep ``value``, read from the database under ``generation`` (read before it), as
        ``weight`` snapshots."""
        if not self.may_keep(generation):
            return
        with self._lock:
            replaced = self._kept.pop(key, None)
            self._weight -= replaced.weight if replaced else 0
            while self._kept and self._weight + weight > MAX_SNAPSHOTS:
                self._weight -= self._kept.pop(next(iter(self._kept))).weight
            self._kept[key] = Kept(value, generation, self.clock(), weight)
            self._weight += weight

    def watch(self, sessions: sessionmaker[Session]) -> None:
        """Call ``changed`` after every commit of ``sessions`` that wrote what a programme's
        snapshot shows."""
        after_committed_writes(sessions, {"programmes": WATCHED}, self.changed)
