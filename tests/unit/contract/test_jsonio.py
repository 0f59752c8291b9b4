"""setu_contract.jsonio and the Flask provider built on it: what changes from the standard
library's JSON, and what must not."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask import Flask
from flask.json.provider import DefaultJSONProvider

from setu_contract import jsonio
from setu_contract.http import JSONProvider

SNAPSHOT = {
    "title": '東京工業大学 "Tokyo Tech" \\ 半導体 🚀',
    "partners": [{"role": "lead", "organisation_id": "b"}, {"role": "member", "name": "ÎIT"}],
    "exchange_slots": 4,
    "amount": "1500000.50",
    "erased": False,
    "applicant": None,
    "ratio": 0.25,
}


def test_what_it_writes_reads_back_as_written_by_either_library():
    text = jsonio.dumps(SNAPSHOT, sort_keys=True)
    assert jsonio.loads(text) == SNAPSHOT
    assert json.loads(text) == SNAPSHOT
    assert jsonio.loads(json.dumps(SNAPSHOT)) == SNAPSHOT


def test_text_outside_ascii_is_utf8_and_keys_are_sorted_as_the_standard_library_sorts_them():
    text = jsonio.dumps(SNAPSHOT, sort_keys=True)
    assert "東京工業大学" in text and "\\u" not in text
    assert text == json.dumps(SNAPSHOT, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def test_keys_that_are_not_text_are_written_as_text():
    assert jsonio.loads(jsonio.dumps({2027: 3, 2028: 1})) == {"2027": 3, "2028": 1}


@pytest.mark.parametrize("value", [2**64, -(2**63) - 1, Decimal("1.5"), {1, 2}])
def test_what_json_dumps_refuses_or_loads_would_change_raises_type_error(value):
    with pytest.raises(TypeError):
        jsonio.dumps({"value": value})


def test_dates_and_dataclasses_go_to_the_callers_default():
    @dataclass
    class Point:
        x: int

    seen = []

    def default(value):
        seen.append(value)
        return str(value)

    moment = datetime(2027, 4, 1, 9, 30, tzinfo=UTC)
    text = jsonio.dumps([moment, date(2027, 4, 1), Point(1)], default=default)
    assert [type(v) for v in seen] == [datetime, date, Point]
    assert json.loads(text) == [str(moment), "2027-04-01", str(Point(1))]
    with pytest.raises(TypeError):
        jsonio.dumps(moment)


def test_the_flask_provider_answers_what_flask_answered_but_for_non_ascii_text():
    app = Flask(__name__)
    ours, flasks = JSONProvider(app), DefaultJSONProvider(app)
    body = {**SNAPSHOT, "when": datetime(2027, 4, 1, tzinfo=UTC), "amount": Decimal("2.50")}
    assert json.loads(ours.dumps(body)) == json.loads(flasks.dumps(body))
    assert ours.dumps(body) == flasks.dumps(body, ensure_ascii=False, separators=(",", ":"))
    with app.app_context():
        app.json = ours
        answer = ours.response(body)
    assert answer.mimetype == "application/json"
    assert json.loads(answer.get_data()) == json.loads(flasks.dumps(body))


def test_the_flask_provider_writes_what_orjson_refuses_as_flask_did():
    app = Flask(__name__)
    body = {"exchange_slots": -(2**70)}
    assert JSONProvider(app).dumps(body) == DefaultJSONProvider(app).dumps(body)
