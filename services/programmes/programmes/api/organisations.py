"""Organisations and their API keys."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from programmes.api import V1Blueprint, if_match, unit_of_work, with_etag
from programmes.api.idempotency import idempotent, remember
from programmes.api.identity import KEPT_KEYS
from programmes.organisation_schemas import (
    ApiKeyCreatedSchema,
    ApiKeyCreateSchema,
    ApiKeyPageSchema,
    ApiKeyQuerySchema,
    OrganisationCreateSchema,
    OrganisationPageSchema,
    OrganisationQuerySchema,
    OrganisationSchema,
    OrganisationUpdateSchema,
)
from programmes.services import organisations as service
from programmes.services.events import organisation_snapshot
from programmes.store.kept_keys import KeptKeys
from programmes.store.models import ApiKey
from setu_contract.edge import caller
from setu_contract.paging import page_body

blp = V1Blueprint("organisations", __name__, url_prefix="/v1", description="Organisations")

PUBLIC_FIELDS = ("id", "name", "country", "kind")


def _view(snapshot: dict[str, Any]) -> dict[str, Any]:
    """Everyone reads names, countries and kinds; the rest is for the organisation itself."""
    who = caller()
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
    @blp.arguments(OrganisationCreateSchema())
    @blp.response(201, OrganisationSchema)
    @idempotent
    def post(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Register an organisation (secretariat)"""
        with unit_of_work() as session:
            org = service.create_organisation(session, caller(), fields)
            snapshot = organisation_snapshot(org)
            remember(session, snapshot, 201)
            return with_etag(snapshot, 201)

    @blp.arguments(OrganisationQuerySchema(), location="query")
    @blp.response(200, OrganisationPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """List organisations"""
        page, size = query.pop("page"), query.pop("page_size")
        with unit_of_work() as session:
            orgs, total = service.list_organisations(session, query, page, size)
            items = [_view(organisation_snapshot(o)) for o in orgs]
        return page_body(items, total, page, size)


@blp.route("/organisations/<string:organisation_id>")
class OrganisationById(MethodView):
    @blp.response(200, OrganisationSchema)
    def get(self, organisation_id: str) -> Any:
        """Read an organisation"""
        with unit_of_work() as session:
            org = service.get_organisation(session, organisation_id)
            return with_etag(_view(organisation_snapshot(org)) | {"version": org.version})

    @blp.arguments(OrganisationUpdateSchema())
    @blp.response(200, OrganisationSchema)
    @blp.alt_response(412, description="If-Match names an older version")
    def patch(self, changes: dict[str, Any], organisation_id: str) -> Any:
        """Edit an organisation (secretariat: partner organisations and its own side's); send
        If-Match with the ETag you read"""
        with unit_of_work() as session:
            org = service.update_organisation(
                session, caller(), organisation_id, changes, if_match()
            )
            return with_etag(organisation_snapshot(org))


@blp.route("/organisations/<string:organisation_id>/api-keys")
class OrganisationKeys(MethodView):
    @blp.arguments(ApiKeyCreateSchema())
    @blp.response(201, ApiKeyCreatedSchema)
    def post(self, fields: dict[str, Any], organisation_id: str) -> dict[str, Any]:
        """Issue an API key (secretariat: for partner organisations and its own side); the secret
        is shown this once"""
        with unit_of_work() as session:
            key, secret = service.create_key(session, caller(), organisation_id, fields)
            return _key_view(key, secret)

    @blp.arguments(ApiKeyQuerySchema(), location="query")
    @blp.response(200, ApiKeyPageSchema)
    def get(self, query: dict[str, Any], organisation_id: str) -> dict[str, Any]:
        """List an organisation's keys, without their secrets (a side never lists the other's)"""
        with unit_of_work() as session:
            keys = service.list_keys(session, caller(), organisation_id, query["include_revoked"])
            views = [_key_view(k) for k in keys]
        page, size = query["page"], query["page_size"]
        return page_body(views[(page - 1) * size : page * size], len(views), page, size)


@blp.route("/api-keys/<string:key_id>")
class ApiKeyById(MethodView):
    @blp.response(204)
    @blp.alt_response(503, description="Not revoked: it could not be made known to every process")
    def delete(self, key_id: str) -> None:
        """Revoke an API key, at once and for good (a side never revokes the other's keys)"""
        kept_keys: KeptKeys = current_app.extensions[KEPT_KEYS]
        with unit_of_work() as session:
            service.revoke_key(session, caller(), key_id, kept_keys.hold)
