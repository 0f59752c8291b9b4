"""Who did something: the person or key by name, their organisation and side.

History entries name the acting organisation (``actor_organisation_id``) and, once people
sign in, the ``actor`` itself; organisations' names are read from the API, each at most
once a page.
"""

from __future__ import annotations

from typing import Any

from console.api_client.base import ApiClient, ApiError
from console.api_client.organisations_api_client import OrganisationsApiClient


class Names:
    """Organisations' names by id, each read at most once a page."""

    def __init__(self, client: ApiClient, known: dict[str, dict[str, Any]] | None = None):
        self.organisations = OrganisationsApiClient(client)
        self.known = dict(known or {})

    def get(self, organisation_id: str | None) -> dict[str, Any]:
        if not organisation_id:
            return {}
        if organisation_id not in self.known:
            try:
                self.known[organisation_id] = self.organisations.get(organisation_id)
            except ApiError:
                self.known[organisation_id] = {"id": organisation_id, "name": organisation_id}
        return self.known[organisation_id]


def actor_of(entry: dict[str, Any], names: Names) -> dict[str, Any]:
    """Who took a step: the person or key by name, their organisation and side."""
    actor = entry.get("actor") or {}
    organisation = names.get(actor.get("organisation_id") or entry.get("actor_organisation_id"))
    side = actor.get("side") or (
        organisation.get("country") if organisation.get("kind") == "secretariat" else None
    )
    return {
        "name": actor.get("name") or "",
        "organisation": organisation.get("name") or "",
        "side": side,
    }
