"""The event types, each with the schema of its data, its aggregate and its family."""

from __future__ import annotations

from enum import StrEnum

from marshmallow import Schema

from setu_contract.events.data import (
    ApplicationData,
    ApplicationStatusChangedData,
    CallClosingReminderData,
    CallData,
    CallStatusChangedData,
    ConflictDeclaredData,
    LicenceNoticeData,
    MobilityItemData,
    MobilityReminderData,
    OrganisationData,
    ParticipationData,
    PersonalDataErasedData,
    PersonData,
    PersonDeactivatedData,
    PersonLockedData,
    ProgrammeData,
    ProgrammeStatusChangedData,
    ReportGeneratedData,
    ReviewData,
    ScreeningRecordedData,
    SignInLinkData,
)


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
