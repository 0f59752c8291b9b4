"""Bad input answers 400/413/415/422 JSON, never a 500, and writes nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from programmes.store.models import ApiKey, Organisation, Programme, outbox
from setu_contract.edge import BODY_NOT_JSON
from tests.integration.programmes.conftest import Caller, Partners, programme_body

ORGANISATION = {
    "name": "Kyoto Semiconductor Lab",
    "country": "JP",
    "kind": "company",
    "contact_email": "lab@example.jp",
}


def counts(engine) -> tuple[int, ...]:
    with engine.connect() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (outbox, Organisation.__table__, Programme.__table__, ApiKey.__table__)
        )


def assert_error(answer, code: int) -> dict:
    assert answer.status_code == code, (answer.status_code, answer.get_data(as_text=True))
    assert answer.is_json
    body = answer.json
    assert body["code"] == code and body["status"] and body["message"]
    return body


@pytest.fixture
def targets(partners: Partners, secretariat: Caller) -> dict[str, tuple[Caller, str]]:
    programme = partners.jp_caller.post("/v1/programmes", programme_body(partners)).json
    return {
        "organisations": (secretariat, "/v1/organisations"),
        "api-keys": (secretariat, f"/v1/organisations/{partners.jp['id']}/api-keys"),
        "programmes": (partners.jp_caller, "/v1/programmes"),
        "transitions": (partners.jp_caller, f"/v1/programmes/{programme['id']}/transitions"),
    }


RAW_BODIES = {
    "malformed JSON": ("{not json", "application/json", 400),
    "truncated JSON": ('{"name": ', "application/json", 400),
    "wrong content type": ('{"name": "x"}', "text/plain", 415),
    "form body": ("name=x", "application/x-www-form-urlencoded", 415),
    "no content type": ("", None, 415),
    "JSON array": ("[1, 2]", "application/json", 422),
    "JSON string": ('"hello"', "application/json", 422),
    "JSON null": ("null", "application/json", 422),
    "empty object": ("{}", "application/json", 422),
    "unknown field": ('{"zzz": 1}', "application/json", 422),
    "too large": (json.dumps({"name": "x" * (1024 * 1024 + 10)}), "application/json", 413),
}


@pytest.mark.parametrize("endpoint", ["organisations", "api-keys", "programmes", "transitions"])
@pytest.mark.parametrize("case", list(RAW_BODIES))
def test_odd_bodies_get_a_json_error_and_write_nothing(targets, engine, endpoint, case):
    caller, path = targets[endpoint]
    data, content_type, code = RAW_BODIES[case]
    headers = caller.headers({"Content-Type": content_type} if content_type else None)
    before = counts(engine)
    answer = caller.client.post(path, data=data.encode(), headers=headers)
    body = assert_error(answer, code)
    if code == 415:
        assert body["message"] == BODY_NOT_JSON
    assert counts(engine) == before


PROGRAMME_FIELD_ERRORS = [
    ({"title": "abc"}, "title"),
    ({"title": 42}, "title"),
    ({"summary": "s" * 5001}, "summary"),
    ({"focus_area": "quantum"}, "focus_area"),
    ({"start_date": "2027-02-30"}, "start_date"),
    ({"end_date": "2026-01-01"}, "end_date"),
    ({"end_date": "2033-01-01"}, "end_date"),
    ({"exchange_slots": 501}, "exchange_slots"),
    ({"exchange_slots": -1}, "exchange_slots"),
    ({"exchange_slots": "5"}, "exchange_slots"),
    ({"partners": []}, "partners"),
    ({"partners": "everyone"}, "partners"),
    ({"budget": [{"organisation_id": "x", "currency": "USD", "amount": "1"}]}, "budget"),
    ({"budget": [{"organisation_id": "x", "currency": "JPY", "amount": 10}]}, "budget"),
    ({"budget": [{"organisation_id": "x", "currency": "JPY", "amount": "1e999999"}]}, "budget"),
    ({"budget": [{"organisation_id": "x", "currency": "JPY", "amount": "NaN"}]}, "budget"),
]


@pytest.mark.parametrize(("override", "field"), PROGRAMME_FIELD_ERRORS)
def test_programme_field_errors_are_named(partners: Partners, engine, override, field):
    before = counts(engine)
    answer = partners.jp_caller.post("/v1/programmes", programme_body(partners, **override))
    body = assert_error(answer, 422)
    assert field in body["errors"], body
    assert counts(engine) == before


def test_cross_field_programme_rules(partners: Partners, secretariat: Caller, engine):
    jp, india = partners.jp["id"], partners.india["id"]
    cases = [
        ({"partners": [{"organisation_id": jp, "role": "lead"}] * 2}, "partners"),
        (
            {
                "partners": [
                    {"organisation_id": jp, "role": "lead"},
                    {"organisation_id": "nope", "role": "lead"},
                ]
            },
            "partners",
        ),
        ({"budget": [{"organisation_id": india, "currency": "JPY", "amount": "1.5"}]}, "budget"),
        ({"budget": [{"organisation_id": india, "currency": "INR", "amount": "1.555"}]}, "budget"),
    ]
    before = counts(engine)
    for override, field in cases:
        answer = partners.jp_caller.post("/v1/programmes", programme_body(partners, **override))
        assert field in assert_error(answer, 422)["errors"]
    # The creating organisation must be a partner.
    answer = partners.in_caller.post(
        "/v1/programmes",
        programme_body(
            partners,
            partners=[{"organisation_id": jp, "role": "lead"}] * 1
            + [{"organisation_id": secretariat_org(secretariat), "role": "member"}],
        ),
    )
    assert "partners" in assert_error(answer, 422)["errors"]
    assert counts(engine) == before


def secretariat_org(caller: Caller) -> str:
    return caller.get("/internal/authorize").headers["X-Setu-Organisation-Id"]


@pytest.mark.parametrize(
    "body",
    [
        {"action": "fly"},
        {"action": None},
        {"action": "submit", "comment": 5},
        {"action": "submit", "extra": True},
    ],
)
def test_transition_field_errors(targets, engine, body):
    caller, path = targets["transitions"]
    before = counts(engine)
    assert_error(caller.post(path, body), 422)
    assert counts(engine) == before


@pytest.mark.parametrize(
    "body",
    [
        {"name": "", "country": "JP", "kind": "company", "contact_email": "a@b.jp"},
        {**ORGANISATION, "country": "US"},
        {**ORGANISATION, "kind": "secretariat"},
        {**ORGANISATION, "kind": "bakery"},
        {**ORGANISATION, "contact_email": "not-an-email"},
        {**ORGANISATION, "preferred_language": "fr"},
        {**ORGANISATION, "name": "n" * 201},
    ],
)
def test_organisation_field_errors(secretariat: Caller, engine, body):
    before = counts(engine)
    assert_error(secretariat.post("/v1/organisations", body), 422)
    assert counts(engine) == before


@pytest.mark.parametrize(
    "body",
    [
        {"name": "k", "role": "emperor"},
        {"name": "", "role": "partner"},
        {"name": "k", "role": "partner", "expires_at": "yesterday"},
        {"name": "k", "role": "partner", "expires_at": "2020-01-01T00:00:00+00:00"},
        {"name": "k", "role": "partner", "expires_at": "2030-01-01T00:00:00"},
        {"name": "k", "role": "secretariat"},
    ],
)
def test_api_key_field_errors(targets, engine, body):
    caller, path = targets["api-keys"]
    before = counts(engine)
    assert_error(caller.post(path, body), 422)
    assert counts(engine) == before


@pytest.mark.parametrize(
    "query", [{"page": "0"}, {"page": "x"}, {"page_size": "101"}, {"country": "FR"}]
)
def test_bad_list_queries_are_422(secretariat: Caller, query):
    assert_error(secretariat.get("/v1/organisations", query_string=query), 422)


def test_unknown_ids_are_404_json(secretariat: Caller):
    assert_error(secretariat.get("/v1/organisations/nope"), 404)
    assert_error(secretariat.get("/v1/programmes/nope"), 404)
    assert_error(secretariat.post("/v1/programmes/nope/transitions", {"action": "submit"}), 404)
    assert_error(
        secretariat.post("/v1/organisations/nope/api-keys", {"name": "k", "role": "auditor"}), 404
    )
    assert_error(secretariat.get("/v1/nothing-here"), 404)
