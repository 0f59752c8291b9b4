"""The principals of API keys this process has read, kept while no key has changed since.

Every request names a key, and reading its row was a database round trip on every request:
a fifth of a programme read's CPU, and every request to the other services pays it too (the
gateway asks ``/internal/authorize``). So a process keeps the principal of each key it reads,
beside the keys' *generation*: a token in Redis (``setu:api-keys:<database>:generation``)
that is replaced after every commit that wrote a key or an organisation (a key revoked, say).

- A kept principal is used only while Redis still holds the generation it was read under.
  The generation is read in the same round trip that counts the request against the rate
  limit (api.identity), so a kept principal costs no round trip of its own, and a revoked key
  is refused on its next request, in every process.
- The generation is read before the key's row, and the principal is kept under it: a
  revocation that commits in between replaces the generation, so the key is read again.
- With Redis away nothing is kept or used: every request reads the key's row.
- An expired key is refused at its expiry: the expiry is kept with the principal.
- A revocation ``hold``s the generation before it commits (store.generation): from then on
  no process uses what it kept nor keeps what it reads, until the renewal after the commit,
  or, if Redis fails in between, until the hold expires after ``MAX_AGE_SECONDS`` and a new
  generation is made. So a revoked key is refused on its next request in every process,
  whatever Redis does after the commit; and when the hold cannot be set, the revocation is
  not committed (the API answers 503).
- Other writes (an organisation edited) are only renewed after their commit: if Redis fails
  in between, a principal is kept for ``store.generation.MAX_AGE_SECONDS`` (30 s) at most.

Writes are seen through the ORM (api_keys and organisations rows flushed in a session made by
the watched sessionmaker). A statement that changes those tables without the ORM must call
``changed`` itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from programmes.store.committed_writes import after_committed_writes
from programmes.store.generation import Keeper
from programmes.store.models import ApiKey, Organisation
from setu_contract.http import Principal

# More keys than any deployment has; past it the process starts again from none.
MAX_KEYS = 10_000


@dataclass(frozen=True)
class KeptKey:
    principal: Principal
    expires: float | None  # the key's expiry, seconds since the epoch
    generation: bytes
    kept_at: float  # time.monotonic()


class KeptKeys(Keeper):
    NAME, WHAT = "api-keys", "API keys"
    _kept: dict[str, KeptKey]

    def get(self, secret_hash: str) -> KeptKey | None:
        return self._kept.get(secret_hash)

    def valid(self, kept: KeptKey, generation: bytes | None, now: float) -> bool:
        """Whether ``kept`` may answer for its key: ``generation`` (just read from Redis, None
        when Redis is away) is the one it was read under, it is young enough and, at ``now``
        (seconds since the epoch), the key has not expired."""
        return self.fresh(kept.generation, kept.kept_at, generation) and (
            kept.expires is None or now < kept.expires
        )

    def forget(self, secret_hash: str) -> None:
        self._kept.pop(secret_hash, None)

    def keep(
        self, secret_hash: str, principal: Principal, expires: float | None, generation: bytes
    ) -> None:
        if not self.may_keep(generation):
            return
        if len(self._kept) >= MAX_KEYS:
            self._kept.clear()
        self._kept[secret_hash] = KeptKey(principal, expires, generation, self.clock())

    def hold(self) -> bool:
        """Before committing a revocation: no process uses a kept key until the renewal after
        the commit (or for ``max_age`` if that renewal is lost). False when Redis could not
        be told: the revocation must then not be committed."""
        return self.token.hold(self.max_age)

    def watch(self, sessions: sessionmaker[Session]) -> None:
        """Call ``changed`` after every commit of ``sessions`` that wrote a key or an
        organisation."""
        after_committed_writes(sessions, {"api_keys": (ApiKey, Organisation)}, self.changed)
