"""Marshmallow schemas of the API: <Noun>CreateSchema, <Noun>Schema, <Noun>QuerySchema.

They check types, formats and single-field rules; rules across fields or over stored data
live in ``domain`` and ``services``. No schema queries the database. This module holds the
conventions every schema module of the service builds on (``StrictSchema``,
``NonEmptyMixin``) and the programmes' own schemas; the others are per resource
(``organisation_schemas``, ``application_schemas``, ``event_schemas``, ``call_schemas``...).
Lists page through ``setu_contract.paging``.
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from programmes.domain.programmes import (
    CURRENCIES,
    FOCUS_AREAS,
    MAX_EXCHANGE_SLOTS,
    MAX_PARTNERS,
    PARTNER_ROLES,
)
from programmes.domain.slots import DIRECTIONS
from programmes.domain.transitions import (
    PROGRAMME_ACTIONS,
    PROGRAMME_STATUSES,
    PROGRAMME_TRANSITIONS,
)
from setu_contract.input_fields import AwareDateTime, Integer, Text
from setu_contract.paging import PageQuerySchema, page_schema

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


class NonEmptyMixin:
    @validates_schema
    def _something_to_change(self, data, **_):
        if not data:
            raise ValidationError("send at least one field to change")


class AllowedActions(fields.List):
    """What the caller may do to a programme or an application now, as it is answered."""

    def __init__(self) -> None:
        description = "what you may do to it now: the actions you may send"
        super().__init__(fields.String(), metadata={"description": description})


class AllowedActionFilter(fields.List):
    """The ``allowed_action`` filter of a list: the things for which the caller's
    ``allowed_actions`` hold one of these actions. Repeatable, or comma-separated; loads to a
    sorted tuple of the actions named (immutable: a loaded query string is kept)."""

    def __init__(self, actions: list[str]) -> None:
        self.actions = actions
        description = (
            "only those for which your allowed_actions hold one of these actions (repeat the "
            "parameter, or separate actions by commas); the page's total counts them all"
        )
        items = fields.String(validate=validate.OneOf(actions))
        super().__init__(items, metadata={"description": description})

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) for v in values):
            raise ValidationError("name actions as text")
        named = {part.strip() for v in values for part in v.split(",")}
        unknown = sorted(named - set(self.actions), key=repr)
        if unknown:
            raise ValidationError(
                f"unknown action {unknown[0][:40]!r}: one of {', '.join(self.actions)}"
            )
        return tuple(sorted(named))


# The orders a list may be read in: newest first (by creation), or the longest unchanged first.
LIST_SORTS = ("-created_at", "updated_at")


def sort_field() -> Text:
    description = "-created_at: newest first (the default); updated_at: the longest unchanged first"
    return Text(validate=validate.OneOf(LIST_SORTS), metadata={"description": description})


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
    allowed_action = AllowedActionFilter(PROGRAMME_ACTIONS)
    sort = sort_field()


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


ProgrammePageSchema = page_schema(ProgrammeSchema)
