"""marshmallow schemas of people, sign-in and sessions (the API contract of issue 29)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from programmes.schemas import LANGUAGES, NonEmptyMixin, StrictSchema, Text
from setu_contract.http import PERSON_ROLES
from setu_contract.input_fields import EmailAddress
from setu_contract.paging import PageQuerySchema, page_schema


class PersonCreateSchema(StrictSchema):
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    email = EmailAddress(required=True, validate=validate.Length(max=320))
    role = Text(required=True, validate=validate.OneOf(PERSON_ROLES))
    language = Text(load_default="en", validate=validate.OneOf(LANGUAGES))
    time_zone = Text(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "IANA; default Asia/Tokyo (JP) or Asia/Kolkata (IN)"},
    )


class PersonUpdateSchema(NonEmptyMixin, StrictSchema):
    name = Text(validate=validate.Length(min=1, max=200))
    role = Text(validate=validate.OneOf(PERSON_ROLES))
    language = Text(validate=validate.OneOf(LANGUAGES))
    time_zone = Text(validate=validate.Length(min=1, max=64))


class PersonSchema(Schema):
    id = fields.String()
    organisation_id = fields.String()
    name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    role = fields.String()
    language = fields.String()
    time_zone = fields.String()
    active = fields.Boolean()
    totp_enrolled = fields.Boolean()
    version = fields.Integer()
    created_at = fields.String()
    allowed_actions = fields.List(fields.String())


PersonPageSchema = page_schema(PersonSchema)


class PersonQuerySchema(PageQuerySchema):
    pass


class MeKeySchema(Schema):
    id = fields.String()
    name = fields.String()


class MeOrganisationSchema(Schema):
    id = fields.String()
    name = fields.String()
    country = fields.String()
    kind = fields.String()
    side = fields.String()


class MeSchema(Schema):
    person = fields.Nested(PersonSchema, allow_none=True)
    key = fields.Nested(MeKeySchema, allow_none=True)
    organisation = fields.Nested(MeOrganisationSchema)
    role = fields.String()
    side = fields.String(allow_none=True)


class SignInSchema(StrictSchema):
    email = Text(required=True, validate=validate.Length(min=1, max=320))
    next = Text(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=500),
        metadata={"description": "a relative console path to open after signing in"},
    )

    @validates("next")
    def _relative(self, value: str | None, **_: object) -> None:
        # Only a path of this site: never another site's address (an open redirect).
        if value is not None and not (
            value.startswith("/") and not value.startswith("//") and "\\" not in value
        ):
            raise ValidationError("must be a relative path starting with /")


class MessageSchema(Schema):
    message = fields.String()


class SessionCreateSchema(StrictSchema):
    token = Text(required=True, validate=validate.Length(min=1, max=200))


class SessionSchema(Schema):
    id = fields.String()
    state = fields.String()
    created_at = fields.String()
    idle_expires_at = fields.String()
    expires_at = fields.String()


class SessionCreatedSchema(Schema):
    session = fields.String(metadata={"description": "the bearer token, shown this once"})
    person = fields.Nested(PersonSchema)
    state = fields.String()
    next = fields.String(allow_none=True)
    idle_expires_at = fields.String()
    expires_at = fields.String()


class TotpEnrolmentSchema(Schema):
    secret = fields.String()
    otpauth_uri = fields.String()
    qr_svg = fields.String()


class TotpCodeSchema(StrictSchema):
    code = Text(required=True, validate=validate.Length(min=1, max=16))


class TotpVerifySchema(StrictSchema):
    code = Text(validate=validate.Length(min=1, max=16))
    recovery_code = Text(validate=validate.Length(min=1, max=64))

    @validates_schema
    def _one_of_them(self, data: dict, **_: object) -> None:
        if len(data) != 1:
            raise ValidationError("send either code or recovery_code")

    @validates("code")
    def _digits(self, value: str, **_: object) -> None:
        if not value.isdigit():
            raise ValidationError("digits only")


class RecoveryCodesSchema(Schema):
    recovery_codes = fields.List(fields.String())
