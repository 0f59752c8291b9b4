"""Marshmallow schemas of talent-exchange applications (``programmes.schemas``' conventions)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from programmes.domain.applications import CAREER_STAGES
from programmes.domain.countries import ISO_3166_ALPHA2
from programmes.domain.transitions import APPLICATION_STATUSES, APPLICATION_TRANSITIONS
from programmes.schemas import (
    LANGUAGES,
    AllowedActionFilter,
    AllowedActions,
    NonEmptyMixin,
    StrictSchema,
    sort_field,
)
from setu_contract.input_fields import EmailAddress, Integer, Text
from setu_contract.paging import PageQuerySchema, page_schema


class ApplicantSchema(StrictSchema):
    full_name = Text(required=True, validate=validate.Length(min=1, max=200))
    email = EmailAddress(required=True, validate=validate.Length(max=320))
    nationality = Text(
        required=True,
        validate=validate.OneOf(sorted(ISO_3166_ALPHA2), error="not an ISO 3166 alpha-2 code"),
    )
    preferred_language = Text(load_default="en", validate=validate.OneOf(LANGUAGES))


class ApplicantUpdateSchema(ApplicantSchema):
    """Any fields of the applicant block, loaded with partial=True."""


class ApplicationCreateSchema(StrictSchema):
    programme_id = Text(required=True, validate=validate.Length(min=1, max=36))
    applicant = fields.Nested(ApplicantSchema, required=True)
    career_stage = Text(required=True, validate=validate.OneOf(CAREER_STAGES))
    home_organisation_id = Text(validate=validate.Length(min=1, max=36))
    host_organisation_id = Text(required=True, validate=validate.Length(min=1, max=36))
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    statement = Text(required=True, validate=validate.Length(min=50, max=5000))


class ApplicationUpdateSchema(NonEmptyMixin, StrictSchema):
    """What the home organisation may change in a draft."""

    applicant = fields.Nested(ApplicantUpdateSchema(partial=True))
    career_stage = Text(validate=validate.OneOf(CAREER_STAGES))
    host_organisation_id = Text(validate=validate.Length(min=1, max=36))
    start_date = fields.Date()
    end_date = fields.Date()
    statement = Text(validate=validate.Length(min=50, max=5000))


class ApplicationSchema(Schema):
    id = fields.String()
    reference = fields.String()
    programme_id = fields.String()
    programme_reference = fields.String()
    applicant = fields.Dict(allow_none=True)
    career_stage = fields.String()
    home_organisation_id = fields.String()
    host_organisation_id = fields.String()
    direction = fields.String()
    start_date = fields.String()
    end_date = fields.String()
    statement = fields.String(allow_none=True)
    status = fields.String(validate=validate.OneOf(APPLICATION_STATUSES))
    allowed_actions = AllowedActions()
    personal_data_erased = fields.Boolean()
    version = Integer()
    created_at = fields.String()
    updated_at = fields.String()


class ApplicationQuerySchema(PageQuerySchema):
    status = Text(validate=validate.OneOf(APPLICATION_STATUSES))
    programme_id = Text(validate=validate.Length(min=1, max=36))
    direction = Text(validate=validate.OneOf(("JP_TO_IN", "IN_TO_JP")))
    career_stage = Text(validate=validate.OneOf(CAREER_STAGES))
    q = Text(validate=validate.Length(min=1, max=200))
    allowed_action = AllowedActionFilter(list(APPLICATION_TRANSITIONS))
    sort = sort_field()


class ApplicationTransitionSchema(StrictSchema):
    action = Text(required=True, validate=validate.OneOf(list(APPLICATION_TRANSITIONS)))
    comment = Text(load_default=None, allow_none=True, validate=validate.Length(max=5000))


ApplicationPageSchema = page_schema(ApplicationSchema)
