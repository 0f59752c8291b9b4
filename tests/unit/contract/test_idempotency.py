"""Idempotency-Key means one thing in every service: the key's rules, its owner, the replay."""

from __future__ import annotations

import pytest
from sqlalchemy import MetaData, create_engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from setu_contract import idempotency
from setu_contract.idempotency import (
    HEADER,
    REPLAYED_HEADER,
    IdempotencyKeyReused,
    InvalidIdempotencyKey,
)


@pytest.mark.parametrize("raw", ["", " ", "x" * 201, "tab\there", "new\nline"])
def test_a_key_is_1_to_200_printable_characters(raw: str):
    with pytest.raises(InvalidIdempotencyKey) as refused:
        idempotency.checked_key(raw)
    assert HEADER in refused.value.errors


def test_blanks_around_a_key_are_dropped_and_no_key_is_none():
    assert idempotency.checked_key("  order-42 ") == "order-42"
    assert idempotency.checked_key("x" * 200) == "x" * 200
    assert idempotency.checked_key(None) is None


def test_the_fingerprint_covers_method_path_and_body_not_key_order():
    same = idempotency.fingerprint("POST", "/v1/a", {"b": 1, "a": "ü"})
    assert same == idempotency.fingerprint("POST", "/v1/a", {"a": "ü", "b": 1})
    assert same != idempotency.fingerprint("POST", "/v1/b", {"a": "ü", "b": 1})
    assert same != idempotency.fingerprint("POST", "/v1/a", {"a": "ü", "b": 2})


@pytest.fixture
def session():
    metadata = MetaData()
    table = idempotency.idempotency_table(metadata)
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with Session(engine) as session:
        session.info["table"] = table
        yield session
    engine.dispose()


def _requested(caller: str, body: dict, path: str = "/v1/things"):
    return idempotency.requested_key(caller, "k-1", "POST", path, body)


def test_the_stored_answer_is_replayed_to_its_caller_only(session: Session):
    table = session.info["table"]
    first = _requested("key-a", {"n": 1})
    assert idempotency.replay(session, table, first) is None
    idempotency.remember(session, table, first, {"id": "t1"}, 201)
    stored = idempotency.replay(session, table, _requested("key-a", {"n": 1}))
    assert stored is not None
    assert (stored.body, stored.status) == ({"id": "t1"}, 201)
    assert stored.headers == {REPLAYED_HEADER: "true"}
    assert idempotency.replay(session, table, _requested("key-b", {"n": 1})) is None


def test_a_key_reused_for_another_body_or_path_is_refused(session: Session):
    table = session.info["table"]
    idempotency.remember(session, table, _requested("key-a", {"n": 1}), {"id": "t1"}, 201)
    for other in (_requested("key-a", {"n": 2}), _requested("key-a", {"n": 1}, "/v1/other")):
        with pytest.raises(IdempotencyKeyReused):
            idempotency.replay(session, table, other)


def test_a_second_answer_under_one_key_breaks_the_unique_constraint(session: Session):
    table = session.info["table"]
    idempotency.remember(session, table, _requested("key-a", {"n": 1}), {"id": "t1"}, 201)
    with pytest.raises(IntegrityError):
        idempotency.remember(session, table, _requested("key-a", {"n": 1}), {"id": "t2"}, 201)
