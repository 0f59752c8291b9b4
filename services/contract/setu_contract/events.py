"""Event envelope and the data schema of each event type.

Every event is validated when it is produced (``build_event``) and when it is consumed
(``parse_event``). Schemas let unknown fields through so that a producer may add fields
without breaking older consumers; a breaking change bumps ``EVENT_VERSION``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from marshmallow import INCLUDE, Schema, ValidationError, fields, validate

EVENT_VERSION = 1


class EventType(StrEnum):
    ORGANISATION_REGISTERED = "organisation.registered"
    ORGANISATION_UPDATED = "organisation.updated"
    PROGRAMME_CREATED = "programme.created"
    PROGRAMME_UPDATED = "programme.updated"
    PROGRAMME_STATUS_CHANGED = "programme.status_changed"
    APPLICATION_CREATED = "application.created"
    APPLICATION_UPDATED = "application.updated"
    APPLICATION_STATUS_CHANGED = "application.status_changed"
    APPLICATION_PERSONAL_DATA_ERASED = "application.personal_data_erased"
    PARTICIPATION_CONFIRMED = "participation.confirmed"
    PARTICIPATION_DECLINED = "participation.declined"
    REPORT_GENERATED = "report.generated"
    PERSON_INVITED = "person.invited"
    PERSON_UPDATED = "person.updated"
    PERSON_SIGN_IN_REQUESTED = "person.sign_in_requested"
    PERSON_LOCKED = "person.locked"
    PERSON_DEACTIVATED = "person.deactivated"
    CALL_CREATED = "call.created"
    CALL_UPDATED = "call.updated"
    CALL_STATUS_CHANGED = "call.status_changed"
    CALL_CLOSING_REMINDER = "call.closing_reminder"
    REVIEW_ASSIGNED = "review.assigned"
    REVIEW_DECLARED = "review.declared"
    REVIEW_SUBMITTED = "review.submitted"
    REVIEW_REMINDER = "review.reminder"
    CONFLICT_DECLARED = "conflict.declared"
    MOBILITY_ITEM_UPDATED = "mobility.item_updated"
    MOBILITY_REMINDER = "mobility.reminder"
    SCREENING_RECORDED = "screening.recorded"
    SCREENING_LICENCE_EXPIRING = "screening.licence_expiring"
    SCREENING_LICENCE_EXPIRED = "screening.licence_expired"


class InvalidEvent(ValueError):
    """An envelope or its data does not match the contract."""

    def __init__(self, errors: dict[str, Any]):
        super().__init__(f"invalid event: {errors}")
        self.errors = errors


class _Open(Schema):
    class Meta:
        unknown = INCLUDE


class OrganisationData(_Open):
    id = fields.String(required=True)
    name = fields.String(required=True)
    country = fields.String(required=True, validate=validate.OneOf(["JP", "IN"]))
    kind = fields.String(required=True)
    contact_email = fields.String(required=True, allow_none=True)
    preferred_language = fields.String(required=True)
    version = fields.Integer(required=True)


PARTICIPATIONS = ["pending", "confirmed", "declined"]


class PartnerData(_Open):
    organisation_id = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(["lead", "member"]))
    country = fields.String(load_default=None, allow_none=True)
    participation = fields.String(load_default=None, validate=validate.OneOf(PARTICIPATIONS))


class BudgetLineData(_Open):
    organisation_id = fields.String(required=True)
    currency = fields.String(required=True, validate=validate.OneOf(["JPY", "INR"]))
    amount = fields.String(required=True)


class ProgrammeData(_Open):
    id = fields.String(required=True)
    reference = fields.String(required=True)
    title = fields.String(required=True)
    focus_area = fields.String(required=True)
    partners = fields.List(fields.Nested(PartnerData), required=True)
    start_date = fields.String(required=True)
    end_date = fields.String(required=True)
    budget = fields.List(fields.Nested(BudgetLineData), required=True)
    exchange_slots = fields.Integer(required=True)
    status = fields.String(required=True)
    approvals = fields.List(fields.String(), load_default=list)
    version = fields.Integer(required=True)
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)


class _Transition(_Open):
    from_ = fields.String(required=True, allow_none=True, data_key="from")
    to = fields.String(required=True)
    action = fields.String(required=True)
    comment = fields.String(load_default=None, allow_none=True)
    actor_organisation_id = fields.String(required=True)


class ProgrammeStatusChangedData(ProgrammeData, _Transition):
    pass


class ParticipationData(ProgrammeData):
    """An organisation's answer to being named: the programme as it now stands (its
    ``version`` moved), who answered and the answer."""

    organisation_id = fields.String(required=True)
    participation = fields.String(required=True, validate=validate.OneOf(PARTICIPATIONS[1:]))
    created_by_organisation_id = fields.String(required=True)
    actor_organisation_id = fields.String(required=True)


class ApplicantData(_Open):
    full_name = fields.String(required=True)
    email = fields.String(required=True)
    nationality = fields.String(required=True)
    preferred_language = fields.String(required=True)


class ApplicationData(_Open):
    id = fields.String(required=True)
    reference = fields.String(required=True)
    programme_id = fields.String(required=True)
    applicant = fields.Nested(ApplicantData, required=True, allow_none=True)
    career_stage = fields.String(required=True)
    home_organisation_id = fields.String(required=True)
    host_organisation_id = fields.String(required=True)
    direction = fields.String(required=True, validate=validate.OneOf(["JP_TO_IN", "IN_TO_JP"]))
    start_date = fields.String(required=True)
    end_date = fields.String(required=True)
    status = fields.String(required=True)
    version = fields.Integer(required=True)
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)


class ApplicationStatusChangedData(ApplicationData, _Transition):
    pass


class PersonalDataErasedData(_Open):
    """The application erased; its home and host organisations (whose webhooks are told),
    when and by whom. Events written before these fields existed carry only id and version."""

    id = fields.String(required=True)
    version = fields.Integer(required=True)
    reference = fields.String(load_default=None, allow_none=True)
    home_organisation_id = fields.String(load_default=None, allow_none=True)
    host_organisation_id = fields.String(load_default=None, allow_none=True)
    erased_at = fields.String(load_default=None, allow_none=True)
    actor_organisation_id = fields.String(load_default=None, allow_none=True)


class ActorData(_Open):
    """Who made a decision: a signed-in person, or an API key (by its name) for a machine."""

    kind = fields.String(required=True, validate=validate.OneOf(["person", "key"]))
    id = fields.String(required=True)
    name = fields.String(required=True, allow_none=True)
    organisation_id = fields.String(required=True)
    side = fields.String(load_default=None, allow_none=True)


class PersonData(_Open):
    """A person as notifications needs it to write to the person: its address, name,
    language and time zone (personal data: erased with the person, person.deactivated)."""

    id = fields.String(required=True)
    organisation_id = fields.String(required=True)
    name = fields.String(required=True, allow_none=True)
    email = fields.String(required=True, allow_none=True)
    role = fields.String(required=True)
    language = fields.String(required=True)
    time_zone = fields.String(required=True)
    active = fields.Boolean(required=True)
    version = fields.Integer(required=True)


class SignInLinkData(PersonData):
    """A one-time sign-in link: only its id. The link's secret part is an HMAC of the id
    under SETU_INTERNAL_SECRET (setu_contract.sign_in), made by whoever writes the email."""

    link_id = fields.String(required=True)
    link_expires_at = fields.String(required=True)
    next = fields.String(load_default=None, allow_none=True)


class PersonLockedData(PersonData):
    locked_until = fields.String(required=True)


class PersonDeactivatedData(_Open):
    """The person deactivated and its personal data erased: every copy is to be erased."""

    id = fields.String(required=True)
    organisation_id = fields.String(required=True)
    version = fields.Integer(required=True)
    erased_at = fields.String(required=True)
    actor = fields.Nested(ActorData, load_default=None, allow_none=True)


class PeriodData(_Open):
    start = fields.String(required=True)
    end = fields.String(required=True)


class ReportGeneratedData(_Open):
    report_id = fields.String(required=True)
    type = fields.String(required=True)
    format = fields.String(required=True)
    period = fields.Nested(PeriodData, required=True)
    download_path = fields.String(required=True)
    recipients = fields.List(fields.Email(), required=True)
    # For its emails: the html and pdf's language, the signed link that needs no key and
    # when it expires, and what the download is called and its Content-Type.
    language = fields.String()
    link = fields.String()
    link_expires_at = fields.String()
    file_name = fields.String()
    content_type = fields.String()


class CallData(_Open):
    """A call for proposals as the API shows it (amounts as decimal strings per currency)."""

    id = fields.String(required=True)
    title = fields.String(required=True)
    focus_areas = fields.List(fields.String(), required=True)
    opens_at = fields.String(required=True)
    closes_at = fields.String(required=True)
    timezone = fields.String(required=True)
    budget_envelope = fields.Dict(required=True)
    status = fields.String(required=True)
    version = fields.Integer(required=True)


class CallStatusChangedData(CallData, _Transition):
    """``actor_organisation_id`` is empty when the clock moved the call."""

    actor_organisation_id = fields.String(required=True, allow_none=True)


class CallDraftData(_Open):
    programme_id = fields.String(required=True)
    reference = fields.String(required=True)
    title = fields.String(required=True)
    organisation_ids = fields.List(fields.String(), required=True)


class CallClosingReminderData(CallData):
    """Partners with drafts for the call, reminded ``kind`` (7d, 1d) before it closes."""

    kind = fields.String(required=True, validate=validate.OneOf(["7d", "1d"]))
    drafts = fields.List(fields.Nested(CallDraftData), required=True)


class ReviewerData(_Open):
    """The reviewer an assignment names, as notifications writes to it (personal data: no
    other consumer is sent it)."""

    id = fields.String(required=True)
    name = fields.String(required=True, allow_none=True)
    email = fields.String(required=True, allow_none=True)
    language = fields.String(required=True)
    time_zone = fields.String(required=True)


class ReviewData(_Open):
    id = fields.String(required=True)
    programme_id = fields.String(required=True)
    programme_reference = fields.String(required=True)
    programme_title = fields.String(required=True)
    call_id = fields.String(required=True)
    call_title = fields.String(required=True)
    status = fields.String(required=True)
    due_at = fields.String(required=True)
    # None in what a consumer that writes to nobody is sent (messaging.sent_to).
    reviewer = fields.Nested(ReviewerData, required=True, allow_none=True)
    version = fields.Integer(required=True)


class ConflictDeclaredData(ReviewData):
    reason = fields.String(required=True)


DIRECTIONS = ["JP_TO_IN", "IN_TO_JP"]


class MobilityData(_Open):
    """An accepted exchange's mobility clearance (no personal data: the applicant is named
    only by the application's reference); ``id`` is the application's."""

    id = fields.String(required=True)
    reference = fields.String(required=True)
    programme_id = fields.String(required=True)
    home_organisation_id = fields.String(required=True)
    host_organisation_id = fields.String(required=True)
    direction = fields.String(required=True, validate=validate.OneOf(DIRECTIONS))
    start_date = fields.String(required=True)
    end_date = fields.String(required=True)
    stage = fields.String(required=True)


class MobilityItemData(MobilityData):
    """One checklist item set: its status and date, who set it and when; the exchange's
    actual arrival and departure as they now stand."""

    item = fields.String(required=True)
    status = fields.String(required=True)
    previous_status = fields.String(required=True)
    date = fields.String(required=True, allow_none=True)
    item_version = fields.Integer(required=True)
    set_at = fields.String(required=True)
    actual_arrival = fields.String(load_default=None, allow_none=True)
    actual_departure = fields.String(load_default=None, allow_none=True)
    actor_organisation_id = fields.String(required=True)


class MobilityReminderData(MobilityData):
    """The home organisation reminded of the documents not applied for 120 days before the
    exchange starts."""

    items = fields.List(fields.String(), required=True, validate=validate.Length(min=1))


class LicenceData(_Open):
    number = fields.String(required=True)
    authority = fields.String(required=True, validate=validate.OneOf(["METI", "DGFT"]))
    valid_until = fields.String(required=True)


class ScreeningData(_Open):
    """A side's export-control screening of a programme (``application_id`` None) or of the
    person of an exchange. Secretariat and auditors only: never sent to partners' webhooks."""

    id = fields.String(required=True)
    programme_id = fields.String(required=True)
    programme_reference = fields.String(required=True)
    application_id = fields.String(required=True, allow_none=True)
    jurisdiction = fields.String(required=True, validate=validate.OneOf(["JP", "IN"]))
    regime = fields.String(required=True, validate=validate.OneOf(["FEFTA", "SCOMET"]))
    outcome = fields.String(
        required=True,
        validate=validate.OneOf(["cleared", "licence_required", "denied", "needs_information"]),
    )
    licence = fields.Nested(LicenceData, required=True, allow_none=True)
    recorded_at = fields.String(required=True)
    current = fields.Boolean(required=True)
    version = fields.Integer(required=True)


class ScreeningRecordedData(ScreeningData):
    """``approval_awaited_from``: the sides whose approval this screening unblocked."""

    approval_awaited_from = fields.List(fields.String(), required=True)


class LicenceNoticeData(ScreeningData):
    """A licence expiring in 30 days (``kind`` 30d) or expired today (``expired``): its
    programme's ``holds`` from today (empty for a person's licence)."""

    kind = fields.String(required=True, validate=validate.OneOf(["30d", "expired"]))
    expires_on = fields.String(required=True)
    holds = fields.List(fields.String(), required=True)


DATA_SCHEMAS: dict[EventType, type[Schema]] = {
    EventType.ORGANISATION_REGISTERED: OrganisationData,
    EventType.ORGANISATION_UPDATED: OrganisationData,
    EventType.PROGRAMME_CREATED: ProgrammeData,
    EventType.PROGRAMME_UPDATED: ProgrammeData,
    EventType.PROGRAMME_STATUS_CHANGED: ProgrammeStatusChangedData,
    EventType.APPLICATION_CREATED: ApplicationData,
    EventType.APPLICATION_UPDATED: ApplicationData,
    EventType.APPLICATION_STATUS_CHANGED: ApplicationStatusChangedData,
    EventType.APPLICATION_PERSONAL_DATA_ERASED: PersonalDataErasedData,
    EventType.PARTICIPATION_CONFIRMED: ParticipationData,
    EventType.PARTICIPATION_DECLINED: ParticipationData,
    EventType.REPORT_GENERATED: ReportGeneratedData,
    EventType.PERSON_INVITED: SignInLinkData,
    EventType.PERSON_UPDATED: PersonData,
    EventType.PERSON_SIGN_IN_REQUESTED: SignInLinkData,
    EventType.PERSON_LOCKED: PersonLockedData,
    EventType.PERSON_DEACTIVATED: PersonDeactivatedData,
    EventType.CALL_CREATED: CallData,
    EventType.CALL_UPDATED: CallData,
    EventType.CALL_STATUS_CHANGED: CallStatusChangedData,
    EventType.CALL_CLOSING_REMINDER: CallClosingReminderData,
    EventType.REVIEW_ASSIGNED: ReviewData,
    EventType.REVIEW_DECLARED: ReviewData,
    EventType.REVIEW_SUBMITTED: ReviewData,
    EventType.REVIEW_REMINDER: ReviewData,
    EventType.CONFLICT_DECLARED: ConflictDeclaredData,
    EventType.MOBILITY_ITEM_UPDATED: MobilityItemData,
    EventType.MOBILITY_REMINDER: MobilityReminderData,
    EventType.SCREENING_RECORDED: ScreeningRecordedData,
    EventType.SCREENING_LICENCE_EXPIRING: LicenceNoticeData,
    EventType.SCREENING_LICENCE_EXPIRED: LicenceNoticeData,
}

PERSON_EVENTS = frozenset(
    {
        EventType.PERSON_INVITED,
        EventType.PERSON_UPDATED,
        EventType.PERSON_SIGN_IN_REQUESTED,
        EventType.PERSON_LOCKED,
        EventType.PERSON_DEACTIVATED,
    }
)

CALL_EVENTS = frozenset(
    {
        EventType.CALL_CREATED,
        EventType.CALL_UPDATED,
        EventType.CALL_STATUS_CHANGED,
        EventType.CALL_CLOSING_REMINDER,
    }
)
# They name the reviewer (personal data, and kept from partners): notifications only.
REVIEW_EVENTS = frozenset(
    {
        EventType.REVIEW_ASSIGNED,
        EventType.REVIEW_DECLARED,
        EventType.REVIEW_SUBMITTED,
        EventType.REVIEW_REMINDER,
        EventType.CONFLICT_DECLARED,
    }
)

# Export-control screenings: the secretariat's and auditors' only (never a partner's
# webhook); consumers that write to nobody are sent them without notes or names.
SCREENING_EVENTS = frozenset(
    {
        EventType.SCREENING_RECORDED,
        EventType.SCREENING_LICENCE_EXPIRING,
        EventType.SCREENING_LICENCE_EXPIRED,
    }
)

# The aggregate an event is about, for the event log's filters and the outbox row.
AGGREGATE_OF: dict[EventType, str] = {
    EventType.ORGANISATION_REGISTERED: "organisation",
    EventType.ORGANISATION_UPDATED: "organisation",
    EventType.PROGRAMME_CREATED: "programme",
    EventType.PROGRAMME_UPDATED: "programme",
    EventType.PROGRAMME_STATUS_CHANGED: "programme",
    EventType.APPLICATION_CREATED: "application",
    EventType.APPLICATION_UPDATED: "application",
    EventType.APPLICATION_STATUS_CHANGED: "application",
    EventType.APPLICATION_PERSONAL_DATA_ERASED: "application",
    # An answer is a change of the programme (its partners' states, its version).
    EventType.PARTICIPATION_CONFIRMED: "programme",
    EventType.PARTICIPATION_DECLINED: "programme",
    EventType.REPORT_GENERATED: "report",
    **{event_type: "person" for event_type in PERSON_EVENTS},
    **{event_type: "call" for event_type in CALL_EVENTS},
    **{event_type: "review" for event_type in REVIEW_EVENTS},
    EventType.MOBILITY_ITEM_UPDATED: "mobility",
    EventType.MOBILITY_REMINDER: "mobility",
    **{event_type: "screening" for event_type in SCREENING_EVENTS},
}


class Envelope(Schema):
    id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.OneOf([t.value for t in EventType]))
    version = fields.Integer(required=True, validate=validate.Equal(EVENT_VERSION))
    occurred_at = fields.AwareDateTime(required=True)
    producer = fields.String(required=True, validate=validate.Length(min=1))
    correlation_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    data = fields.Dict(required=True)


# Built once: a schema's construction (deep copies of its fields) costs more than a
# validation, and every event is validated when produced and again when consumed.
_ENVELOPE = Envelope()
_DATA = {event_type: schema() for event_type, schema in DATA_SCHEMAS.items()}


def _check(envelope: dict[str, Any]) -> None:
    errors = _ENVELOPE.validate(envelope)
    if errors:
        raise InvalidEvent(errors)
    data_errors = _DATA[EventType(envelope["type"])].validate(envelope["data"])
    if data_errors:
        raise InvalidEvent({"data": data_errors})


def build_event(
    event_type: EventType | str,
    data: dict[str, Any],
    *,
    producer: str,
    correlation_id: str,
    event_id: str | None = None,
    occurred_at: datetime | None = None,
) -> dict[str, Any]:
    """A new, validated envelope ready to be written to the outbox (JSON-serialisable)."""
    envelope = {
        "id": event_id or str(uuid.uuid4()),
        "type": str(event_type),
        "version": EVENT_VERSION,
        "occurred_at": (occurred_at or datetime.now(UTC)).isoformat(),
        "producer": producer,
        "correlation_id": correlation_id,
        "data": data,
    }
    _check(envelope)
    return envelope


def parse_event(envelope: Any) -> dict[str, Any]:
    """Validate an envelope received from the broker; raise ``InvalidEvent`` if it is not one."""
    if not isinstance(envelope, dict):
        raise InvalidEvent({"_schema": ["an event is a JSON object"]})
    try:
        _check(envelope)
    except (ValidationError, KeyError, ValueError) as exc:
        if isinstance(exc, InvalidEvent):
            raise
        raise InvalidEvent({"_schema": [str(exc)]}) from exc
    return envelope


def aggregate_of(envelope: dict[str, Any]) -> tuple[str, str, int | None]:
    """(aggregate type, aggregate id, aggregate version) of an envelope."""
    event_type = EventType(envelope["type"])
    data = envelope["data"]
    if event_type is EventType.REPORT_GENERATED:
        return "report", data["report_id"], None
    return AGGREGATE_OF[event_type], data["id"], data.get("version")
