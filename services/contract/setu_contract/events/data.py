"""The schema of each event type's data: the snapshot or notice an envelope carries.

Schemas let unknown fields through so that a producer may add fields without breaking older
consumers; a breaking change bumps ``EVENT_VERSION`` (``setu_contract.events.envelope``).
"""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate


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
