"""Marshmallow schemas of mobility clearance (schemas.py says how schemas are written)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from programmes.domain.mobility import ITEMS, STAGE_NAMES
from programmes.domain.slots import DIRECTIONS
from programmes.schemas import NonEmptyMixin, StrictSchema
from setu_contract.input_fields import Integer, Text
from setu_contract.paging import PageQuerySchema, PageSchema

_STATUSES = sorted({status for item in ITEMS.values() for status in item.statuses})


class MobilityItemSetSchema(StrictSchema):
    status = Text(
        required=True,
        validate=validate.OneOf(_STATUSES),
        metadata={"description": "which statuses an item takes: the checklist's `statuses`"},
    )
    date = fields.Date(
        metadata={
            "description": "the day of the status; required (and not in the future) for an "
            "actual arrival or departure; others default to today"
        }
    )


class MobilityItemPatchSchema(NonEmptyMixin, MobilityItemSetSchema):
    """Any of status and date, loaded with partial=True."""


class MobilityItemSchema(Schema):
    item = fields.String(validate=validate.OneOf(list(ITEMS)))
    status = fields.String()
    date = fields.String(allow_none=True)
    statuses = fields.List(fields.String())
    actual_date = fields.List(
        fields.String(), metadata={"description": "the statuses whose date is an actual one"}
    )
    kept_by = fields.String(validate=validate.OneOf(["home", "host"]))
    set_by = fields.Dict(
        allow_none=True,
        metadata={"description": "who set it: {kind: person | key, id, name, organisation_id}"},
    )
    set_at = fields.String(allow_none=True)
    may_set = fields.Boolean(metadata={"description": "whether the caller may set it now"})


class ExchangeSummarySchema(Schema):
    application_id = fields.String()
    reference = fields.String()
    programme_id = fields.String()
    home_organisation_id = fields.String()
    host_organisation_id = fields.String()
    direction = fields.String(validate=validate.OneOf(DIRECTIONS))
    status = fields.String()
    stage = fields.String(validate=validate.OneOf(STAGE_NAMES))
    planned_arrival = fields.String()
    planned_departure = fields.String()
    actual_arrival = fields.String(allow_none=True)
    actual_departure = fields.String(allow_none=True)


class MobilityChecklistSchema(ExchangeSummarySchema):
    items = fields.List(fields.Nested(MobilityItemSchema))


class PipelineQuerySchema(PageQuerySchema):
    stage = Text(validate=validate.OneOf(STAGE_NAMES))
    direction = Text(validate=validate.OneOf(DIRECTIONS))
    programme_id = Text(validate=validate.Length(min=1, max=36))


class PipelineSchema(PageSchema):
    items = fields.List(fields.Nested(ExchangeSummarySchema))
    stages = fields.Dict(
        keys=fields.String(),
        values=Integer(),
        metadata={"description": "how many accepted exchanges are in each stage"},
    )
