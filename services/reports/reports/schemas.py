"""Request and response bodies of the reports API (marshmallow 4)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from reports.domain.catalogue import (
    FOCUS_AREAS,
    FORMATS,
    JOB_STATUSES,
    MAX_PERIOD_DAYS,
    PROGRAMME_STATUSES,
    REPORT_TYPES,
)
from reports.domain.schedule import InvalidSchedule, check_cron, check_timezone
from reports.translations import DEFAULT_LANGUAGE, LANGUAGES
from setu_contract.input_fields import AwareDateTime, EmailAddress, Integer, Text
from setu_contract.paging import PageQuerySchema, page_schema


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
        Text(validate=validate.OneOf(FOCUS_AREAS)), validate=validate.Length(max=20)
    )
    status = fields.List(
        Text(validate=validate.OneOf(PROGRAMME_STATUSES)),
        validate=validate.Length(max=20),
    )
    organisation_id = Text(validate=validate.Length(min=1, max=36))


LANGUAGE_DOC = {
    "description": "The language of the html and pdf: en, ja or hi (csv and json keep codes)"
}


def language_field(**extra: Any) -> fields.String:
    return Text(validate=validate.OneOf(LANGUAGES), metadata=LANGUAGE_DOC, **extra)


Recipients = fields.List(
    EmailAddress(validate=validate.Length(max=254)),
    validate=validate.Length(max=50),
    load_default=list,
)


class ReportCreateSchema(Schema):
    type = Text(required=True, validate=validate.OneOf(REPORT_TYPES))
    format = Text(required=True, validate=validate.OneOf(FORMATS))
    period = fields.Nested(PeriodSchema, required=True)
    filters = fields.Nested(FiltersSchema, load_default=dict)
    recipients = Recipients
    language = language_field(load_default=DEFAULT_LANGUAGE)


class ReportSchema(Schema):
    id = Text()
    type = Text()
    format = Text()
    language = Text()
    period = fields.Nested(PeriodSchema)
    filters = fields.Dict()
    recipients = fields.List(Text())
    status = Text(validate=validate.OneOf(JOB_STATUSES))
    progress = Integer()
    size = Integer(allow_none=True)
    sha256 = Text(allow_none=True)
    error = Text(allow_none=True)
    correlation_id = Text()
    schedule_id = Text(allow_none=True)
    created_at = AwareDateTime()
    started_at = AwareDateTime(allow_none=True)
    finished_at = AwareDateTime(allow_none=True)
    download_url = Text(allow_none=True)


def _cron(value: str) -> None:
    try:
        check_cron(value)
    except InvalidSchedule as exc:
        raise ValidationError(str(exc)) from exc


def _timezone(value: str) -> None:
    try:
        check_timezone(value)
    except InvalidSchedule as exc:
        raise ValidationError(str(exc)) from exc


class ScheduleCreateSchema(Schema):
    type = Text(required=True, validate=validate.OneOf(REPORT_TYPES))
    format = Text(required=True, validate=validate.OneOf(FORMATS))
    cron = Text(required=True, validate=[validate.Length(max=120), _cron])
    timezone = Text(required=True, validate=[validate.Length(max=64), _timezone])
    recipients = fields.List(
        EmailAddress(validate=validate.Length(max=254)),
        validate=validate.Length(max=50),
        load_default=list,
    )
    language = language_field(load_default=DEFAULT_LANGUAGE)
    enabled = fields.Boolean(load_default=True)


class ScheduleUpdateSchema(Schema):
    type = Text(validate=validate.OneOf(REPORT_TYPES))
    format = Text(validate=validate.OneOf(FORMATS))
    cron = Text(validate=[validate.Length(max=120), _cron])
    timezone = Text(validate=[validate.Length(max=64), _timezone])
    recipients = fields.List(
        EmailAddress(validate=validate.Length(max=254)), validate=validate.Length(max=50)
    )
    language = language_field()
    enabled = fields.Boolean()


class ScheduleSchema(Schema):
    id = Text()
    type = Text()
    format = Text()
    cron = Text()
    timezone = Text()
    recipients = fields.List(Text())
    language = Text()
    enabled = fields.Boolean()
    version = Integer()
    next_due_at = AwareDateTime(allow_none=True)
    created_at = AwareDateTime()
    updated_at = AwareDateTime()


class ScheduleRunSchema(Schema):
    id = Text()
    schedule_id = Text()
    due_at = AwareDateTime()
    fired_at = AwareDateTime()
    report_id = Text(allow_none=True)


class ReportQuerySchema(PageQuerySchema):
    status = Text(validate=validate.OneOf(JOB_STATUSES))
    type = Text(validate=validate.OneOf(REPORT_TYPES))
    schedule_id = Text(validate=validate.Length(max=36))


ReportPageSchema = page_schema(ReportSchema)
SchedulePageSchema = page_schema(ScheduleSchema)
ScheduleRunPageSchema = page_schema(ScheduleRunSchema)
