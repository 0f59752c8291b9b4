"""Marshmallow schemas of export-control screenings (programmes.schemas' conventions)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from programmes.domain import screening as rules
from programmes.schemas import COUNTRIES, StrictSchema
from setu_contract.input_fields import Text


class LicenceSchema(StrictSchema):
    number = Text(required=True, validate=validate.Length(min=1, max=rules.MAX_LICENCE_NUMBER))
    authority = Text(required=True, validate=validate.OneOf(rules.AUTHORITIES))
    valid_until = fields.Date(required=True)


class ScreeningCreateSchema(StrictSchema):
    jurisdiction = Text(
        required=True,
        validate=validate.OneOf(COUNTRIES),
        metadata={"description": "the side screening: JP (FEFTA) or IN (SCOMET)"},
    )
    regime = Text(required=True, validate=validate.OneOf(rules.REGIMES))
    classification = Text(
        required=True,
        validate=validate.Length(min=1, max=rules.MAX_CLASSIFICATION),
        metadata={"description": "not_listed, or the list item (e.g. 3E001, SCOMET 8A)"},
    )
    basis = Text(required=True, validate=validate.OneOf(rules.BASES))
    outcome = Text(required=True, validate=validate.OneOf(rules.OUTCOMES))
    licence = fields.Nested(
        LicenceSchema,
        allow_none=True,
        load_default=None,
        metadata={"description": "required exactly when the outcome is licence_required"},
    )
    notes = Text(load_default=None, allow_none=True, validate=validate.Length(max=rules.MAX_NOTES))


class LicenceOutSchema(Schema):
    number = fields.String()
    authority = fields.String()
    valid_until = fields.String()


class ScreeningSchema(Schema):
    id = fields.String()
    programme_id = fields.String()
    application_id = fields.String(allow_none=True)
    subject = fields.String(metadata={"enum": ["programme", "person"]})
    jurisdiction = fields.String()
    regime = fields.String()
    classification = fields.String()
    basis = fields.String()
    outcome = fields.String()
    licence = fields.Nested(LicenceOutSchema, allow_none=True)
    notes = fields.String(allow_none=True)
    recorded_by_organisation_id = fields.String()
    recorded_by = fields.Dict(allow_none=True)
    recorded_at = fields.String()
    current = fields.Boolean(metadata={"description": "false once a newer one superseded it"})
    superseded_at = fields.String(allow_none=True)
    superseded_by_id = fields.String(allow_none=True)


class ScreeningListSchema(Schema):
    items = fields.List(fields.Nested(ScreeningSchema))


class ScreeningDueSchema(Schema):
    programme_id = fields.String()
    reference = fields.String()
    title = fields.String()
    status = fields.String()
    updated_at = fields.String()
    sides = fields.List(fields.String(), metadata={"description": "the sides still to screen"})


class LicenceDueSchema(ScreeningSchema):
    programme_reference = fields.String()
    programme_title = fields.String()
    expires_on = fields.String(metadata={"description": "the first day it is no longer valid"})
    expired = fields.Boolean()


class ScreeningWorkSchema(Schema):
    due = fields.List(fields.Nested(ScreeningDueSchema))
    licences = fields.List(fields.Nested(LicenceDueSchema))
