"""A write that breaks a database constraint the request did not name (under an
Idempotency-Key, one that is not the key's) answers 409, not 500 (issue 26, item 10)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.integration.programmes.conftest import Caller

ORGANISATION = {
    "name": "Kyoto Semiconductor Lab",
    "country": "JP",
    "kind": "company",
    "contact_email": "lab@example.jp",
}


@pytest.fixture
def refusing_organisations(engine, database_url: str) -> None:
    """Every insert into organisations fails with an integrity error of the database's own."""
    if database_url.startswith("sqlite"):
        statements = [
            "CREATE TRIGGER refuse BEFORE INSERT ON organisations "
            "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        ]
    else:
        statements = [
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE unique_violation USING MESSAGE = 'refused by the test'; END $$",
            "CREATE TRIGGER refuse BEFORE INSERT ON organisations "
            "FOR EACH ROW EXECUTE FUNCTION refuse()",
        ]
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


@pytest.mark.parametrize("idempotency_key", [None, "k-1"])
def test_an_integrity_error_answers_409(
    secretariat: Caller, refusing_organisations, idempotency_key
):
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
    answer = secretariat.post("/v1/organisations", ORGANISATION, headers=headers)
    assert answer.status_code == 409, answer.get_data(as_text=True)
    assert answer.json["code"] == 409 and "send it again" in answer.json["message"]
