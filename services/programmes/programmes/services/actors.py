"""Who acted: the person behind a decision, or the API key (by its name) for a machine."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from programmes.store.models import ApiKey, ApplicationTransition, ProgrammeTransition
from setu_contract.http import Principal


def actor(principal: Principal) -> dict[str, Any]:
    """The ``actor`` recorded in history, in event data and named in emails."""
    found: dict[str, Any] = {
        "kind": "person" if principal.person_id else "key",
        "id": principal.person_id or principal.key_id,
        "name": principal.name,
        "organisation_id": principal.organisation_id,
    }
    if principal.side:
        found["side"] = principal.side
    return found


def key_actor(key_id: str, organisation_id: str, name: str | None = None) -> dict[str, Any]:
    """The actor of a row written before people existed: a key, named if still known."""
    return {"kind": "key", "id": key_id, "name": name, "organisation_id": organisation_id}


def history_entries(
    session: Session, rows: Sequence[ProgrammeTransition | ApplicationTransition]
) -> list[dict[str, Any]]:
    """History as the API shows it: each transition with who made it, by name (a row from
    before people existed names its key, read once for all such rows)."""
    unnamed = {row.actor_key_id for row in rows if row.actor is None}
    names = (
        dict(session.execute(select(ApiKey.id, ApiKey.name).where(ApiKey.id.in_(unnamed))).all())
        if unnamed
        else {}
    )
    return [
        {
            "action": row.action,
            "from_status": row.from_status,
            "to_status": row.to_status,
            "actor_organisation_id": row.actor_organisation_id,
            "actor": row.actor
            or key_actor(row.actor_key_id, row.actor_organisation_id, names.get(row.actor_key_id)),
            "comment": row.comment,
            "occurred_at": row.occurred_at,
        }
        for row in rows
    ]
