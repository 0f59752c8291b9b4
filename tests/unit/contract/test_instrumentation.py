"""The WSGI instrumentation every API wears, on a bare WSGI app."""

import json
import logging

from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from setu_contract.metrics import route_label
from setu_contract.observability import HttpInstrumentation, get_correlation_id


@Request.application
def app(request: Request) -> Response:
    return Response(json.dumps({"seen": get_correlation_id()}), mimetype="application/json")


def test_correlation_id_is_adopted_and_echoed():
    client = Client(HttpInstrumentation(app, "test"))
    answer = client.get("/v1/things", headers={"X-Correlation-Id": "abc-123"})
    assert answer.json == {"seen": "abc-123"}
    assert answer.headers["X-Correlation-Id"] == "abc-123"


def test_a_missing_or_odd_correlation_id_is_replaced():
    client = Client(HttpInstrumentation(app, "test"))
    for given in (None, "x" * 500, "bad\x00id"):
        headers = {"X-Correlation-Id": given} if given else {}
        answer = client.get("/v1/things", headers=headers)
        made = answer.headers["X-Correlation-Id"]
        assert made == answer.json["seen"] and len(made) == 32


def test_requests_are_counted_by_route_and_logged(caplog):
    client = Client(HttpInstrumentation(app, "counting"))
    with caplog.at_level(logging.INFO, logger="counting.http"):
        for _ in range(3):
            client.get("/v1/programmes/6f1c0c1e-0000-4000-8000-000000000001/history")
    assert [r.status for r in caplog.records] == [200, 200, 200]
    text = client.get("/metrics").get_data(as_text=True)
    line = next(
        line
        for line in text.splitlines()
        if line.startswith("setu_http_requests_total{")
        and 'service="counting"' in line
        and 'route="/v1/programmes/{id}/history"' in line
    )
    assert line.endswith(" 3.0")


def test_route_label_keeps_names_and_drops_ids():
    assert route_label("/v1/reports/42/download") == "/v1/reports/{id}/download"
    assert route_label("/v1/unsubscribe/" + "t" * 60) == "/v1/unsubscribe/{id}"
    assert route_label("/v1/report-schedules") == "/v1/report-schedules"


def test_a_path_with_a_nul_is_a_json_404_before_the_app_sees_it():
    client = Client(HttpInstrumentation(app, "test"))
    answer = client.get("/v1/reports/%00")
    assert answer.status_code == 404
    assert answer.json["code"] == 404 and answer.json["status"] == "Not Found"
