"""Request and response bodies of the reports API (marshmallow 4)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from reports.domain.catalogue import (
    FOCUS_AREAS,
    FORMATS,
    JOB_STATUSES,
    MAX_PERIOD_DAYS,
    PROGRAMME_STATUSES,
    REPORT_TYPES,
)


class PeriodSchema(Schema):
    start = fields.Date(required=True)
    end = fields.Date(required=True)

    @validates_schema
    def _ordered(self, data: dict, **_: object) -> None:
        if data["end"] < data["start"]:
            raise ValidationError("end must not be before start", "end")
        if (data["end"] - data["start"]).days > MAX_PERIOD_DAYS:
            raise ValidationError(f"a period covers at most {MAX_PERIOD_DAYS} days", "end")


class FiltersSchema(Schema):
    focus_area = fields.List(
        fields.String(validate=validate.OneOf(FOCUS_AREAS)), validate=validate.Length(max=20)
    )
    status = fields.List(
        fields.String(validate=validate.OneOf(PROGRAMME_STATUSES)),
        validate=validate.Length(max=20),
    )
    organisation_id = fields.String(validate=validate.Length(min=1, max=36))


Recipients = fields.List(
    fields.Email(validate=validate.Length(max=254)),
    validate=validate.Length(max=50),
    load_default=list,
)


class ReportCreateSchema(Schema):
    type = fields.String(required=True, validate=validate.OneOf(REPORT_TYPES))
    format = fields.String(required=True, validate=validate.OneOf(FORMATS))
    period = fields.Nested(PeriodSchema, required=True)
    filters = fields.Nested(FiltersSchema, load_default=dict)
    recipients = Recipients


class ReportSchema(Schema):
    id = fields.String()
    type = fields.String()
    format = fields.String()
    period = fields.Nested(PeriodSchema)
    filters = fields.Dict()
    recipients = fields.List(fields.String())
    status = fields.String(validate=validate.OneOf(JOB_STATUSES))
    progress = fields.Integer()
    size = fields.Integer(allow_none=True)
    sha256 = fields.String(allow_none=True)
    error = fields.String(allow_none=True)
    correlation_id = fields.String()
    schedule_id = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    started_at = fields.AwareDateTime(allow_none=True)
    finished_at = fields.AwareDateTime(allow_none=True)
    download_url = fields.String(allow_none=True)
