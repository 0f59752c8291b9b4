"""The one HTTP edge of every service (setu_contract.edge): one error body, one answer to a
database that is away, one caller and one role guard, one page of a list."""

from __future__ import annotations

import pytest
from flask import Flask
from marshmallow import Schema, ValidationError, fields
from sqlalchemy.exc import IntegrityError, OperationalError

from setu_contract.edge import ServiceApi, abort, caller, identify_signed, require_role
from setu_contract.errors import Invalid, ServiceError
from setu_contract.http import UNAUTHENTICATED, Principal, sign_identity
from setu_contract.paging import PageQuerySchema, page_body, page_schema
from setu_contract.request_json import Blueprint

SECRET = "s" * 32


class Locked(ServiceError):
    status = 429


def _app() -> Flask:
    app = Flask(__name__)
    app.config.update(
        API_TITLE="edge", API_VERSION="1", OPENAPI_VERSION="3.0.3", MAX_CONTENT_LENGTH=1024
    )
    blp = Blueprint("edge", __name__)

    @blp.route("/locked")
    def locked() -> None:
        error = Locked("too many tries")
        error.retry_after = 7
        raise error

    @blp.route("/invalid")
    def invalid() -> None:
        raise Invalid("breaks a rule", {"name": ["too long"]})

    @blp.route("/away")
    def away() -> None:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    @blp.route("/raced")
    def raced() -> None:
        raise IntegrityError("INSERT", {}, Exception("unique"))

    @blp.route("/broken")
    def broken() -> None:
        raise RuntimeError("a bug")

    @blp.route("/anonymous")
    def anonymous() -> None:
        abort(401, UNAUTHENTICATED)

    @blp.route("/signed")
    def signed() -> dict[str, str]:
        identify_signed(SECRET)
        return {"role": require_role(("secretariat",), "secretariat only").role}

    @blp.route("/who")
    def who() -> dict[str, str]:
        return {"role": caller().role}

    @blp.route("/body", methods=["POST"])
    @blp.arguments(PageQuerySchema())
    def body(_: dict) -> dict[str, str]:
        return {}

    ServiceApi(app).register_blueprint(blp)
    return app


@pytest.fixture
def client():
    return _app().test_client()


def _error(answer, code: int) -> dict:
    body = answer.get_json()
    assert answer.status_code == code and body["code"] == code, body
    assert body["status"] and body["message"]
    return body


def test_a_domain_error_answers_its_status_errors_and_retry_after(client):
    locked = client.get("/locked")
    assert _error(locked, 429)["message"] == "too many tries"
    assert locked.headers["Retry-After"] == "7"
    assert _error(client.get("/invalid"), 422)["errors"] == {"name": ["too long"]}


def test_a_database_away_is_503_with_retry_after_and_a_race_is_409(client):
    away = client.get("/away")
    assert "database" in _error(away, 503)["message"] and away.headers["Retry-After"] == "1"
    assert "send it again" in _error(client.get("/raced"), 409)["message"]
    assert "errors" not in _error(client.get("/broken"), 500)


def test_401_says_how_to_authenticate_once(client):
    anonymous = client.get("/anonymous")
    assert _error(anonymous, 401)["message"] == UNAUTHENTICATED
    assert anonymous.headers["WWW-Authenticate"] == "Bearer"
    assert _error(client.get("/who"), 401)["message"] == UNAUTHENTICATED
    assert _error(client.get("/signed"), 401)["message"] == UNAUTHENTICATED


def test_the_signed_caller_is_guarded_by_role(client):
    def headers(role: str) -> dict[str, str]:
        return sign_identity(Principal("org", role, "key"), SECRET, "GET", "/signed")

    assert client.get("/signed", headers=headers("secretariat")).get_json() == {
        "role": "secretariat"
    }
    refused = client.get("/signed", headers=headers("partner"))
    assert _error(refused, 403)["message"] == "secretariat only"


def test_webargs_errors_are_given_field_by_field_in_clear_words(client):
    invalid = _error(client.post("/body", json={"page": 0}), 422)
    assert set(invalid["errors"]) == {"page"}
    assert invalid["message"] == "some fields are invalid: see errors"
    malformed = _error(client.post("/body", data="{", content_type="application/json"), 400)
    assert malformed["message"] == "the request body is not valid JSON"
    assert list(malformed["errors"]) == ["_body"]
    too_big = client.post("/body", data="x" * 2048, content_type="application/json")
    assert _error(too_big, 413)["message"] == "the request body is larger than 1024 bytes"


def test_a_page_is_from_1_of_at_most_100_and_answers_its_envelope():
    assert PageQuerySchema().load({}) == {"page": 1, "page_size": 20}
    for wrong in ({"page": 0}, {"page_size": 101}, {"misspelt": 1}):
        with pytest.raises(ValidationError):
            PageQuerySchema().load(wrong)

    class ThingSchema(Schema):
        name = fields.String()

    envelope = page_schema(ThingSchema)
    assert envelope.__name__ == "ThingPageSchema"
    body = page_body([{"name": "a"}], 41, 3, 20)
    assert envelope().dump(body) == body
