"""Marshmallow schemas of calls for proposals, reviews and the ranking (schemas.py says how
schemas are written)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from programmes.domain.calls import CALL_STATUSES, CALL_TRANSITIONS, ORGANISATION_KINDS
from programmes.domain.programmes import FOCUS_AREAS, MAX_PARTNERS, MIN_PARTNERS
from programmes.domain.reviews import MAX_SCORE, MIN_SCORE, REVIEW_STATUSES
from programmes.schemas import (
    AMOUNT,
    AllowedActions,
    NonEmptyMixin,
    StrictSchema,
)
from setu_contract.input_fields import Integer, Text
from setu_contract.paging import PageQuerySchema, page_schema

_AMOUNT = validate.Regexp(AMOUNT, error='a non-negative decimal string, e.g. "1500"')
_TIME = (
    "ISO 8601; without an offset, a local time in the call's time zone "
    "(answered with the zone's offset); years 2000-2199"
)


def _plausible_year(moment) -> None:
    """Years a call may fall in: any zone's offset then keeps them within datetime's range."""
    if not 2000 <= moment.year <= 2199:
        raise ValidationError("a year between 2000 and 2199")


class EnvelopeSchema(StrictSchema):
    JPY = Text(required=True, validate=_AMOUNT)
    INR = Text(required=True, validate=_AMOUNT)


class CapSchema(StrictSchema):
    JPY = Text(validate=_AMOUNT)
    INR = Text(validate=_AMOUNT)


class EligibilitySchema(StrictSchema):
    organisation_kinds = fields.List(
        Text(validate=validate.OneOf(ORGANISATION_KINDS)), validate=validate.Length(min=1)
    )
    min_partners = Integer(strict=True, validate=validate.Range(min=MIN_PARTNERS, max=MAX_PARTNERS))
    max_partners = Integer(strict=True, validate=validate.Range(min=MIN_PARTNERS, max=MAX_PARTNERS))


class CriterionSchema(StrictSchema):
    key = Text(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,39}$"))
    label = Text(required=True, validate=validate.Length(min=1, max=200))
    weight = Integer(strict=True, required=True, validate=validate.Range(min=1, max=100))


class ReviewSettingsSchema(StrictSchema):
    reviewers_per_proposal = Integer(
        strict=True, required=True, validate=validate.Range(min=1, max=10)
    )
    criteria = fields.List(
        fields.Nested(CriterionSchema), required=True, validate=validate.Length(min=1, max=20)
    )
    due_days = Integer(strict=True, required=True, validate=validate.Range(min=1, max=90))


class CallCreateSchema(StrictSchema):
    title = Text(required=True, validate=validate.Length(min=5, max=200))
    description = Text(load_default="", validate=validate.Length(max=10000))
    focus_areas = fields.List(
        Text(validate=validate.OneOf(FOCUS_AREAS)),
        required=True,
        validate=validate.Length(min=1, max=len(FOCUS_AREAS)),
    )
    opens_at = fields.DateTime(
        required=True, validate=_plausible_year, metadata={"description": _TIME}
    )
    closes_at = fields.DateTime(
        required=True, validate=_plausible_year, metadata={"description": _TIME}
    )
    timezone = Text(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"example": "Asia/Tokyo", "description": "an IANA time zone"},
    )
    budget_envelope = fields.Nested(EnvelopeSchema, required=True)
    max_budget_per_programme = fields.Nested(CapSchema, allow_none=True)
    eligibility = fields.Nested(EligibilitySchema)
    review = fields.Nested(ReviewSettingsSchema, required=True)


class CallUpdateSchema(NonEmptyMixin, CallCreateSchema):
    """Any fields of a draft call; load with ``partial=CALL_FIELDS``."""


CALL_FIELDS = tuple(CallCreateSchema._declared_fields)


class CallSchema(Schema):
    id = fields.String()
    title = fields.String()
    description = fields.String()
    focus_areas = fields.List(fields.String())
    opens_at = fields.String()
    closes_at = fields.String()
    timezone = fields.String()
    budget_envelope = fields.Dict()
    max_budget_per_programme = fields.Dict(allow_none=True)
    eligibility = fields.Dict()
    review = fields.Dict()
    status = fields.String(validate=validate.OneOf(CALL_STATUSES))
    allowed_actions = AllowedActions()
    created_by_organisation_id = fields.String()
    version = Integer()
    created_at = fields.String()
    updated_at = fields.String()


class CallQuerySchema(PageQuerySchema):
    status = Text(validate=validate.OneOf(CALL_STATUSES))


class CallTransitionSchema(StrictSchema):
    action = Text(required=True, validate=validate.OneOf(list(CALL_TRANSITIONS)))


CallPageSchema = page_schema(CallSchema)


class AssignmentCreateSchema(StrictSchema):
    reviewer_person_id = Text(required=True, validate=validate.Length(min=1, max=36))


class DeclarationSchema(StrictSchema):
    declaration = Text(required=True, validate=validate.OneOf(["none", "conflict"]))
    reason = Text(load_default=None, allow_none=True, validate=validate.Length(max=5000))


class ScoreSchema(StrictSchema):
    score = Integer(
        strict=True, required=True, validate=validate.Range(min=MIN_SCORE, max=MAX_SCORE)
    )
    comment = Text(required=True, validate=validate.Length(min=1, max=5000))


class SubmissionSchema(StrictSchema):
    scores = fields.Dict(
        keys=Text(validate=validate.Length(min=1, max=40)),
        values=fields.Nested(ScoreSchema),
        required=True,
        metadata={"description": "{criterion key: {score: 0-5, comment}} for every criterion"},
    )


class ReviewSchema(Schema):
    id = fields.String()
    programme_id = fields.String()
    programme_reference = fields.String()
    programme_title = fields.String()
    call_id = fields.String()
    call_title = fields.String()
    criteria = fields.List(fields.Dict())
    status = fields.String(validate=validate.OneOf(REVIEW_STATUSES))
    due_at = fields.String()
    reviewer = fields.Dict(allow_none=True)
    declaration = fields.String(allow_none=True)
    conflict_reason = fields.String(allow_none=True)
    declared_at = fields.String(allow_none=True)
    scores = fields.Dict(allow_none=True)
    weighted_score = fields.String(
        allow_none=True,
        metadata={
            "description": "the criteria's scores weighted by the call's weights, with two "
            "decimals (rounded half up); null until submitted",
            "example": "4.33",
        },
    )
    submitted_at = fields.String(allow_none=True)
    allowed_actions = AllowedActions()
    version = Integer()
    created_at = fields.String()


class ReviewQuerySchema(PageQuerySchema):
    status = Text(validate=validate.OneOf(REVIEW_STATUSES))
    call_id = Text(validate=validate.Length(min=1, max=36))
    programme_id = Text(validate=validate.Length(min=1, max=36))


ReviewPageSchema = page_schema(ReviewSchema)


class RankedProposalSchema(Schema):
    rank = Integer()
    programme_id = fields.String()
    reference = fields.String()
    title = fields.String()
    status = fields.String()
    weighted_mean = fields.Float(allow_none=True)
    review_count = Integer()
    budget = fields.Dict()
    running_total = fields.Dict()
    within_envelope = fields.Dict()


class RankingSchema(Schema):
    call_id = fields.String()
    status = fields.String()
    budget_envelope = fields.Dict()
    total_requested = fields.Dict()
    envelope_line = fields.Dict(
        metadata={"description": "per currency: the last rank still within the envelope"}
    )
    proposals = fields.List(fields.Nested(RankedProposalSchema))
