"""Organisations and their API keys."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from programmes.api import V1Blueprint, page_envelope, principal, unit_of_work
from programmes.schemas import (
    ApiKeyCreatedSchema,
    ApiKeyCreateSchema,
    OrganisationCreateSchema,
    OrganisationQuerySchema,
    OrganisationSchema,
)
from programmes.services import organisations as service
from programmes.services.events import organisation_snapshot
from programmes.store.models import ApiKey

blp = V1Blueprint("organisations", __name__, url_prefix="/v1", description="Organisations")

PUBLIC_FIELDS = ("id", "name", "country", "kind")


def _view(snapshot: dict[str, Any]) -> dict[str, Any]:
    """Everyone reads names, countries and kinds; the rest is for the organisation itself."""
    who = principal()
    if who.can_read_everything or who.organisation_id == snapshot["id"]:
        return snapshot
    return {name: snapshot[name] for name in PUBLIC_FIELDS}


def _key_view(key: ApiKey, secret: str | None = None) -> dict[str, Any]:
    view = {
        "id": key.id,
        "organisation_id": key.organisation_id,
        "name": key.name,
        "role": key.role,
        "prefix": key.prefix,
        "created_at": key.created_at,
        "expires_at": key.expires_at,
        "revoked_at": key.revoked_at,
    }
    if secret is not None:
        view["key"] = secret
    return view


@blp.route("/organisations")
class Organisations(MethodView):
    @blp.arguments(OrganisationCreateSchema)
    @blp.response(201, OrganisationSchema)
    def post(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Register an organisation (secretariat)"""
        with unit_of_work() as session:
            org = service.create_organisation(session, principal(), fields)
            return organisation_snapshot(org)

    @blp.arguments(OrganisationQuerySchema, location="query")
    @blp.response(200)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """List organisations"""
        page, size = query.pop("page"), query.pop("page_size")
        with unit_of_work() as session:
            orgs, total = service.list_organisations(session, query, page, size)
            items = [_view(organisation_snapshot(o)) for o in orgs]
        return page_envelope(items, total, page, size)


@blp.route("/organisations/<string:organisation_id>")
class OrganisationById(MethodView):
    @blp.response(200, OrganisationSchema)
    def get(self, organisation_id: str) -> dict[str, Any]:
        """Read an organisation"""
        with unit_of_work() as session:
            return _view(organisation_snapshot(service.get_organisation(session, organisation_id)))


@blp.route("/organisations/<string:organisation_id>/api-keys")
class OrganisationKeys(MethodView):
    @blp.arguments(ApiKeyCreateSchema)
    @blp.response(201, ApiKeyCreatedSchema)
    def post(self, fields: dict[str, Any], organisation_id: str) -> dict[str, Any]:
        """Issue an API key (secretariat); the secret is shown this once"""
        with unit_of_work() as session:
            key, secret = service.create_key(session, principal(), organisation_id, fields)
            return _key_view(key, secret)
