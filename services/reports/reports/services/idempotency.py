"""Idempotency-Key on creating POSTs: the same key and body answer the first response again."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy.orm import Session

from reports.domain.errors import IdempotencyKeyReused
from reports.services.jobs import now
from reports.store.models import IdempotencyKey


def fingerprint(method: str, path: str, body: Any) -> str:
    canonical = json.dumps([method, path, body], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def replay(
    session: Session, organisation_id: str, key: str, print_: str
) -> tuple[dict[str, Any], int] | None:
    """The stored (body, status) for this key, None if new; a different body is refused."""
    stored = session.get(IdempotencyKey, (organisation_id, key))
    if stored is None:
        return None
    if stored.fingerprint != print_:
        raise IdempotencyKeyReused()
    return stored.body, stored.status_code


def remember(
    session: Session, organisation_id: str, key: str, print_: str, body: dict, status: int
) -> None:
    session.add(
        IdempotencyKey(
            organisation_id=organisation_id,
            key=key,
            fingerprint=print_,
            status_code=status,
            body=body,
            created_at=now(),
        )
    )
    session.flush()  # a concurrent request with the same key fails here, before committing
