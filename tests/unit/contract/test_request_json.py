"""The one JSON reader of request bodies, and the shared fields: what a client may send."""

from __future__ import annotations

import pytest
from marshmallow import Schema, ValidationError

from setu_contract.input_fields import AwareDateTime, EmailAddress, Integer, Text
from setu_contract.request_json import MAX_DEPTH, InvalidJson, loads

REFUSED = {
    "nested 1,000 deep": "[" * 1000 + "]" * 1000,
    "nested one past the limit": "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
    "integer of 5,000 digits": '{"a": ' + "9" * 5000 + "}",
    "integer one past 64 bits": "9223372036854775808",
    "negative integer one past 64 bits": "-9223372036854775809",
    "float beyond double": "[1e999]",
    "NaN": '{"a": NaN}',
    "Infinity": "[Infinity]",
    "-Infinity": "[-Infinity]",
    "a key twice": '{"a": 1, "b": 2, "a": 3}',
    "a key twice, deeper": '{"a": [{"k": 1, "k": 1}]}',
    "a lone surrogate": '["\\ud800"]',
    "a lone low surrogate in a key": '{"\\udc00": 1}',
    "not JSON": "{nope",
    "not UTF-8": b'["\xff"]',
}


@pytest.mark.parametrize("label", list(REFUSED))
def test_what_the_reader_refuses(label: str) -> None:
    with pytest.raises(InvalidJson) as refused:
        loads(REFUSED[label])
    assert refused.value.reason


ACCEPTED = {
    "nested to the limit": ("[" * MAX_DEPTH + "]" * MAX_DEPTH, None),
    "brackets inside strings do not count": ('{"a": "' + "[" * 1000 + '"}', {"a": "[" * 1000}),
    "an escaped quote inside a string": ('["a\\"[[[[", 1]', ['a"[[[[', 1]),
    "64-bit extremes": ("[9223372036854775807, -9223372036854775808]", [2**63 - 1, -(2**63)]),
    "a surrogate pair (an emoji)": ('["\\ud83d\\ude00"]', ["\U0001f600"]),
    "text outside ASCII": ('{"名前": "राम"}', {"名前": "राम"}),
    "the same key in two objects": ('[{"a": 1}, {"a": 2}]', [{"a": 1}, {"a": 2}]),
}


@pytest.mark.parametrize("label", list(ACCEPTED))
def test_what_the_reader_accepts(label: str) -> None:
    text, expected = ACCEPTED[label]
    value = loads(text)
    if expected is not None:
        assert value == expected


class Fields(Schema):
    number = Integer()
    moment = AwareDateTime()
    email = EmailAddress()
    text = Text()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("number", "99999999999999999999"),
        ("number", -(2**63) - 1),
        ("number", "9" * 5000),
        ("moment", "0001-01-01T00:00:00+14:00"),
        ("moment", "9999-12-31T23:59:59-14:00"),
        ("moment", "2026-01-01T00:00:00"),  # no offset
        ("email", "a@[127.0.0.1]"),
        ("email", "a@127.0.0.1"),
        ("email", "राम@example.in"),
        ("email", "aiko@例え.jp"),
        ("text", "a\x00b"),
    ],
)
def test_the_shared_fields_refuse_what_the_code_behind_cannot_hold(field: str, value) -> None:
    with pytest.raises(ValidationError) as refused:
        Fields().load({field: value})
    assert field in refused.value.messages


def test_the_shared_fields_accept_ordinary_values() -> None:
    loaded = Fields().load(
        {
            "number": "9223372036854775807",
            "moment": "0001-01-01T00:00:00-05:00",
            "email": "aiko.tanaka+setu@lab.example.jp",
            "text": "राम 名前",
        }
    )
    assert loaded["number"] == 2**63 - 1
    assert loaded["moment"].utcoffset() is not None
    assert loaded["email"] == "aiko.tanaka+setu@lab.example.jp"
