"""Marshmallow schemas of organisations and their API keys (``programmes.schemas``'
conventions)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from programmes.schemas import (
    COUNTRIES,
    LANGUAGES,
    ORGANISATION_KINDS,
    NonEmptyMixin,
    StrictSchema,
)
from setu_contract.http import ROLES
from setu_contract.input_fields import AwareDateTime, EmailAddress, Integer, Text
from setu_contract.paging import PageQuerySchema, page_schema


class OrganisationCreateSchema(StrictSchema):
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    country = Text(required=True, validate=validate.OneOf(COUNTRIES))
    kind = Text(required=True, validate=validate.OneOf(ORGANISATION_KINDS))
    contact_email = EmailAddress(required=True, validate=validate.Length(max=320))
    preferred_language = Text(load_default="en", validate=validate.OneOf(LANGUAGES))


class OrganisationSchema(Schema):
    id = fields.String()
    name = fields.String()
    country = fields.String()
    kind = fields.String()
    contact_email = fields.String(allow_none=True)
    preferred_language = fields.String()
    version = Integer()
    created_at = fields.String()
    updated_at = fields.String()


class OrganisationQuerySchema(PageQuerySchema):
    country = Text(validate=validate.OneOf(COUNTRIES))
    kind = Text(validate=validate.OneOf((*ORGANISATION_KINDS, "secretariat")))
    q = Text(validate=validate.Length(max=200))


class ApiKeyCreateSchema(StrictSchema):
    name = Text(required=True, validate=validate.Length(min=1, max=100))
    role = Text(required=True, validate=validate.OneOf(ROLES))
    expires_at = AwareDateTime(load_default=None, allow_none=True)


class ApiKeySchema(Schema):
    id = fields.String()
    organisation_id = fields.String()
    name = fields.String()
    role = fields.String()
    prefix = fields.String()
    created_at = AwareDateTime()
    expires_at = AwareDateTime(allow_none=True)
    revoked_at = AwareDateTime(allow_none=True)


class ApiKeyCreatedSchema(ApiKeySchema):
    key = fields.String(metadata={"description": "the secret, shown this once"})


class OrganisationUpdateSchema(NonEmptyMixin, StrictSchema):
    name = Text(validate=validate.Length(min=1, max=200))
    country = Text(validate=validate.OneOf(COUNTRIES))
    kind = Text(validate=validate.OneOf(ORGANISATION_KINDS))
    contact_email = EmailAddress(validate=validate.Length(max=320))
    preferred_language = Text(validate=validate.OneOf(LANGUAGES))


class ApiKeyQuerySchema(PageQuerySchema):
    include_revoked = fields.Boolean(load_default=False)


OrganisationPageSchema = page_schema(OrganisationSchema)
ApiKeyPageSchema = page_schema(ApiKeySchema)
