"""Marshmallow schemas of the API: <Noun>CreateSchema, <Noun>Schema, <Noun>QuerySchema.

They check types, formats and single-field rules; rules across fields or over stored data
live in ``domain`` and ``services``. No schema queries the database.
"""

from __future__ import annotations

import re

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from programmes.domain.applications import CAREER_STAGES
from programmes.domain.countries import ISO_3166_ALPHA2
from programmes.domain.programmes import (
    CURRENCIES,
    FOCUS_AREAS,
    MAX_EXCHANGE_SLOTS,
    MAX_PARTNERS,
    PARTNER_ROLES,
)
from programmes.domain.slots import DIRECTIONS
from programmes.domain.transitions import (
    APPLICATION_STATUSES,
    APPLICATION_TRANSITIONS,
    PROGRAMME_STATUSES,
    PROGRAMME_TRANSITIONS,
)
from setu_contract.events import EventType
from setu_contract.http import ROLES
from setu_contract.input_fields import AwareDateTime, EmailAddress, Integer, Text

COUNTRIES = ("JP", "IN")
LANGUAGES = ("en", "ja", "hi")
# An expert panel holds outside experts: its people are reviewers.
ORGANISATION_KINDS = (
    "university",
    "company",
    "research_institute",
    "government_agency",
    "expert_panel",
)
AMOUNT = r"^[0-9]{1,15}(\.[0-9]{1,15})?$"


class StrictSchema(Schema):
    """Unknown fields are an error, so that a typo never passes silently."""

    class Meta:
        unknown = RAISE


class PageQuerySchema(StrictSchema):
    page = Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    page_size = Integer(load_default=20, validate=validate.Range(min=1, max=100))


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


class AllowedActions(fields.List):
    """What the caller may do to a programme or an application now, as it is answered."""

    def __init__(self) -> None:
        description = "what you may do to it now: the actions you may send"
        super().__init__(fields.String(), metadata={"description": description})


class PartnerSchema(StrictSchema):
    organisation_id = Text(required=True, validate=validate.Length(min=1, max=36))
    role = Text(required=True, validate=validate.OneOf(PARTNER_ROLES))
    country = Text(dump_only=True)
    name = Text(dump_only=True)
    participation = Text(
        dump_only=True,
        metadata={
            "enum": ["pending", "confirmed", "declined"],
            "description": "the organisation's answer to being named (the creator: confirmed)",
        },
    )


class BudgetLineSchema(StrictSchema):
    organisation_id = Text(required=True, validate=validate.Length(min=1, max=36))
    currency = Text(required=True, validate=validate.OneOf(CURRENCIES))
    # A decimal string on the wire (never a JSON number, which would lose paise); AMOUNT
    # admits no sign, so a negative amount is refused by the pattern check below.
    amount = fields.Decimal(
        required=True,
        as_string=True,
        allow_nan=False,
        metadata={"type": "string", "example": "25000000.50", "pattern": AMOUNT},
    )

    @validates_schema(pass_original=True)
    def _amount_is_text(self, data, original, **_):
        amount = original.get("amount") if isinstance(original, dict) else None
        if not isinstance(amount, str) or not re.fullmatch(AMOUNT, amount):
            raise ValidationError('a non-negative decimal string, e.g. "1500.50"', "amount")


class TechnologyTransferSchema(StrictSchema):
    controlled_items_expected = fields.Boolean(
        required=True,
        metadata={"description": "the partners expect to move controlled technology"},
    )
    description = Text(load_default="", validate=validate.Length(max=5000))


class ProgrammeCreateSchema(StrictSchema):
    title = Text(required=True, validate=validate.Length(min=5, max=200))
    summary = Text(load_default="", validate=validate.Length(max=5000))
    focus_area = Text(required=True, validate=validate.OneOf(FOCUS_AREAS))
    partners = fields.List(
        fields.Nested(PartnerSchema),
        required=True,
        validate=validate.Length(min=2, max=MAX_PARTNERS),
    )
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    budget = fields.List(
        fields.Nested(BudgetLineSchema), load_default=list, validate=validate.Length(max=100)
    )
    exchange_slots = Integer(
        load_default=0, strict=True, validate=validate.Range(min=0, max=MAX_EXCHANGE_SLOTS)
    )
    exchange_slots_by_direction = fields.Dict(
        keys=Text(validate=validate.OneOf(DIRECTIONS)),
        values=Integer(strict=True, validate=validate.Range(min=0, max=MAX_EXCHANGE_SLOTS)),
        allow_none=True,
        metadata={
            "description": "the slots split by direction, adding up to exchange_slots: "
            '{"JP_TO_IN": n, "IN_TO_JP": m}; accept enforces each',
            "example": {"JP_TO_IN": 6, "IN_TO_JP": 4},
        },
    )
    call_id = Text(
        allow_none=True,
        validate=validate.Length(min=1, max=36),
        metadata={"description": "the open call for proposals the programme answers"},
    )
    technology_transfer = fields.Nested(
        TechnologyTransferSchema,
        allow_none=True,
        metadata={
            "description": "controlled technology the partners declare (export control: a "
            "programme that expects controlled items needs a screening by each side)"
        },
    )


class ProgrammeSchema(Schema):
    id = fields.String()
    reference = fields.String()
    title = fields.String()
    summary = fields.String()
    focus_area = fields.String()
    partners = fields.List(fields.Nested(PartnerSchema))
    start_date = fields.String()
    end_date = fields.String()
    budget = fields.List(fields.Dict())
    exchange_slots = Integer()
    exchange_slots_by_direction = fields.Dict(
        keys=fields.String(), values=Integer(), allow_none=True
    )
    status = fields.String(validate=validate.OneOf(PROGRAMME_STATUSES))
    approvals = fields.List(fields.String())
    allowed_actions = AllowedActions()
    created_by_organisation_id = fields.String()
    call_id = fields.String(allow_none=True)
    technology_transfer = fields.Dict(allow_none=True)
    screening = fields.String(
        metadata={
            "enum": ["not_required", "pending", "complete"],
            "description": "export-control screening: complete once each side has decided "
            "(its details: GET /v1/programmes/{id}/screenings, secretariat and auditors)",
        }
    )
    holds = fields.List(
        fields.String(),
        metadata={"description": "what holds the programme: export_licence_expired"},
    )
    version = Integer()
    created_at = fields.String()
    updated_at = fields.String()


class TransitionSchema(StrictSchema):
    action = Text(required=True, validate=validate.OneOf(list(PROGRAMME_TRANSITIONS)))
    comment = Text(load_default=None, allow_none=True, validate=validate.Length(max=5000))


class ParticipationSchema(StrictSchema):
    decision = Text(required=True, validate=validate.OneOf(["confirm", "decline"]))


class NonEmptyMixin:
    @validates_schema
    def _something_to_change(self, data, **_):
        if not data:
            raise ValidationError("send at least one field to change")


class ProgrammeUpdateSchema(NonEmptyMixin, ProgrammeCreateSchema):
    """Any fields of a programme; each partner and budget line sent is whole.

    Load it with ``partial=PROGRAMME_FIELDS``: a bare ``partial=True`` would reach into the
    nested partners and budget lines and let a line without its organisation through.
    """


PROGRAMME_FIELDS = tuple(ProgrammeCreateSchema._declared_fields)


class ProgrammeQuerySchema(PageQuerySchema):
    status = Text(validate=validate.OneOf(PROGRAMME_STATUSES))
    focus_area = Text(validate=validate.OneOf(FOCUS_AREAS))
    organisation_id = Text(validate=validate.Length(min=1, max=36))
    call_id = Text(
        validate=validate.Length(min=1, max=36),
        metadata={"description": "only the programmes answering this call"},
    )
    q = Text(validate=validate.Length(min=1, max=200))


class HistoryEntrySchema(Schema):
    action = fields.String()
    from_ = fields.String(data_key="from", attribute="from_status")
    to = fields.String(attribute="to_status")
    actor_organisation_id = fields.String()
    actor = fields.Dict(
        metadata={
            "description": "who acted: {kind: person | key, id, name, organisation_id, side?}"
        }
    )
    comment = fields.String(allow_none=True)
    occurred_at = AwareDateTime()


class OrganisationUpdateSchema(NonEmptyMixin, StrictSchema):
    name = Text(validate=validate.Length(min=1, max=200))
    country = Text(validate=validate.OneOf(COUNTRIES))
    kind = Text(validate=validate.OneOf(ORGANISATION_KINDS))
    contact_email = EmailAddress(validate=validate.Length(max=320))
    preferred_language = Text(validate=validate.OneOf(LANGUAGES))


class ApiKeyQuerySchema(PageQuerySchema):
    include_revoked = fields.Boolean(load_default=False)


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


class ApplicationTransitionSchema(StrictSchema):
    action = Text(required=True, validate=validate.OneOf(list(APPLICATION_TRANSITIONS)))
    comment = Text(load_default=None, allow_none=True, validate=validate.Length(max=5000))


class EventQuerySchema(PageQuerySchema):
    type = Text(validate=validate.OneOf([t.value for t in EventType]))
    aggregate_id = Text(validate=validate.Length(min=1, max=36))
    since = AwareDateTime(metadata={"description": "occurred at or after (ISO, with offset)"})
    until = AwareDateTime(metadata={"description": "occurred before (ISO, with offset)"})
    after_position = Integer(validate=validate.Range(min=0))


DELIVERY_STATES = ("waiting", "unconfirmed", "confirmed", "dead_lettered")


class EventSchema(Schema):
    id = fields.String()
    type = fields.String()
    version = Integer()
    occurred_at = fields.String()
    producer = fields.String()
    correlation_id = fields.String()
    data = fields.Dict()
    position = Integer(metadata={"description": "place in the event log"})
    published = fields.Boolean(metadata={"description": "already sent to the broker"})
    deliveries = fields.Dict(
        keys=fields.String(),
        values=fields.String(validate=validate.OneOf(DELIVERY_STATES)),
        metadata={
            "description": "per consumer: waiting (not published yet), unconfirmed, "
            "confirmed (applied; also any event published before confirmations were kept) "
            "or dead_lettered"
        },
    )


class EventConsumerSchema(Schema):
    consumer = fields.String()
    unconfirmed = Integer(metadata={"description": "events published, not confirmed"})
    oldest_unconfirmed_sent_at = AwareDateTime(allow_none=True)
    oldest_unconfirmed_age_seconds = fields.Float()
    dead_lettered = Integer(metadata={"description": "events the consumer gave up on"})


class EventConsumersSchema(Schema):
    consumers = fields.List(fields.Nested(EventConsumerSchema))


def page_schema(item: type[Schema]) -> type[Schema]:
    """The list envelope {items, page, page_size, total} of ``item``."""
    name = item.__name__.removesuffix("Schema") + "PageSchema"
    return type(
        name,
        (Schema,),
        {
            "items": fields.List(fields.Nested(item)),
            "page": Integer(),
            "page_size": Integer(),
            "total": Integer(),
        },
    )


OrganisationPageSchema = page_schema(OrganisationSchema)
ApiKeyPageSchema = page_schema(ApiKeySchema)
ProgrammePageSchema = page_schema(ProgrammeSchema)
ApplicationPageSchema = page_schema(ApplicationSchema)
EventPageSchema = page_schema(EventSchema)
