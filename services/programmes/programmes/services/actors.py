"""Who acted: the person behind a decision, or the API key (by its name) for a machine."""

from __future__ import annotations

from typing import Any

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
