"""The one HTTP edge of every service (setu_contract.edge): one error body, one answer to a
database that is away, one caller and one role guard, one page of a list."""

from __future__ import annotations

import pytest
from flask import Flask, request
from marshmallow import Schema, ValidationError, fields
from sqlalchemy.exc import IntegrityError, OperationalError

from setu_contract.edge import (
    BODY_NOT_JSON,
    ServiceApi,
    abort,
    accepts_any_body,
    caller,
    identify_signed,
    require_role,
)
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

    _add_body_routes(blp)
    api = ServiceApi(app)
    api.register_blueprint(blp)
    api.register_blueprint(_guarded())
    return app


def _add_body_routes(blp: Blueprint) -> None:
    """Writes that read no body: an action, and a form a mail client sends."""

    @blp.route("/action", methods=["POST"])
    def action() -> dict[str, str]:
        return {"done": "yes"}

    @blp.route("/form", methods=["POST"])
    @accepts_any_body
    def form() -> dict[str, str]:
        return {"done": "yes"}


def _guarded() -> Blueprint:
    """A blueprint that identifies its caller in its own before_request."""
    guarded = Blueprint("guarded", __name__, url_prefix="/guarded")

    @guarded.before_request
    def identified() -> None:
        if "X-Caller" not in request.headers:
            abort(401, UNAUTHENTICATED)

    @guarded.route("/body", methods=["POST"])
    @guarded.arguments(PageQuerySchema())
    def guarded_body(_: dict) -> dict[str, str]:
        return {}

    return guarded


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


def test_a_write_whose_body_is_not_json_is_415_with_one_message(client):
    for sent in (
        client.post("/body", data='{"page": 1}', content_type="text/plain"),
        client.post("/body", data="page=1", content_type="application/x-www-form-urlencoded"),
        client.post("/body"),  # the view reads a JSON body: none at all is not JSON either
        client.post("/action", data="x", content_type="text/plain"),
        client.post("/action", data=b"x", headers={"Content-Type": ""}),
        client.post("/action", content_type="text/plain"),  # a media type, an empty body
    ):
        assert _error(sent, 415)["message"] == BODY_NOT_JSON
    assert client.post("/body", json={"page": 2}).status_code == 200


def test_a_write_that_needs_no_json_body_passes(client):
    assert client.post("/action").get_json() == {"done": "yes"}
    assert client.post("/action", json={}).get_json() == {"done": "yes"}
    form = client.post("/form", data="List-Unsubscribe=One-Click", content_type="text/plain")
    assert form.get_json() == {"done": "yes"}
    assert client.get("/who").status_code == 401  # a read is never judged by its body


def test_the_caller_is_identified_before_the_body_is_judged(client):
    anonymous = client.post("/guarded/body", data="x", content_type="text/plain")
    assert _error(anonymous, 401)["message"] == UNAUTHENTICATED
    known = client.post(
        "/guarded/body", data="x", content_type="text/plain", headers={"X-Caller": "1"}
    )
    assert _error(known, 415)["message"] == BODY_NOT_JSON


def test_the_check_is_installed_once_however_many_apps_register_a_blueprint():
    blp = Blueprint("shared", __name__)

    @blp.route("/thing", methods=["POST"])
    def thing() -> dict[str, str]:
        return {}

    for _ in range(3):
        app = Flask(__name__)
        app.config.update(API_TITLE="edge", API_VERSION="1", OPENAPI_VERSION="3.0.3")
        ServiceApi(app).register_blueprint(blp)
        assert _error(app.test_client().post("/thing", data="x", content_type="text/plain"), 415)
    assert len(blp.before_request_funcs[None]) == 1


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
