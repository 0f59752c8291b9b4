"""Marshmallow schemas of what waits for a caller (``GET /v1/me/work``)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from programmes.application_schemas import ApplicationSchema
from programmes.schemas import ProgrammeSchema, StrictSchema
from setu_contract.input_fields import Integer
from setu_contract.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE


class WorkQuerySchema(StrictSchema):
    page_size = Integer(
        load_default=DEFAULT_PAGE_SIZE,
        validate=validate.Range(min=1, max=MAX_PAGE_SIZE),
        metadata={"description": "how many of each queue's things to answer: its oldest"},
    )


class WorkQueueSchema(Schema):
    name = fields.String(metadata={"description": "which work: programme_drafts_to_submit, ..."})
    status = fields.String(
        allow_none=True, metadata={"description": "the one status it lists; null: any"}
    )
    allowed_action = fields.List(
        fields.String(),
        metadata={"description": "the things whose allowed_actions hold one of these wait"},
    )
    total = Integer(metadata={"description": "how many things wait, exactly"})


class ProgrammeQueueSchema(WorkQueueSchema):
    items = fields.List(
        fields.Nested(ProgrammeSchema),
        metadata={"description": "the longest unchanged first (page_size of them)"},
    )


class ApplicationQueueSchema(WorkQueueSchema):
    items = fields.List(
        fields.Nested(ApplicationSchema),
        metadata={"description": "the longest unchanged first (page_size of them)"},
    )


class WorkSchema(Schema):
    programmes = fields.List(fields.Nested(ProgrammeQueueSchema))
    applications = fields.List(fields.Nested(ApplicationQueueSchema))
