"""The WSGI instrumentation every API wears, on a bare WSGI app."""

import json
import logging

from flask import Flask
from prometheus_client import REGISTRY
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from setu_contract.metrics import UNMATCHED, route_label, url_rules
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


def _counted(client: Client, service: str) -> dict[str, float]:
    """route -> requests counted for ``service``, from the /metrics exposition."""
    found = {}
    for line in client.get("/metrics").get_data(as_text=True).splitlines():
        if line.startswith("setu_http_requests_total{") and f'service="{service}"' in line:
            route = line.split('route="', 1)[1].split('"', 1)[0]
            found[route] = found.get(route, 0.0) + float(line.rsplit(" ", 1)[1])
    return found


def test_requests_are_counted_by_the_route_they_matched_and_logged(caplog):
    flask_app = Flask(__name__)
    flask_app.add_url_rule(
        "/v1/programmes/<string:programme_id>/history", "history", lambda programme_id: "{}"
    )
    client = Client(
        HttpInstrumentation(flask_app.wsgi_app, "counting", route_of=url_rules(flask_app))
    )
    with caplog.at_level(logging.INFO, logger="counting.http"):
        for n in range(3):
            client.get(f"/v1/programmes/any-id-{n}/history")
    assert [r.status for r in caplog.records] == [200, 200, 200]
    assert _counted(client, "counting") == {"/v1/programmes/{programme_id}/history": 3.0}


def test_paths_clients_make_up_do_not_make_new_labels():
    """A label per raw path would grow the metrics (and memory) with every new id sent."""
    flask_app = Flask(__name__)
    flask_app.add_url_rule("/v1/things/<thing_id>", "thing", lambda thing_id: "{}")
    client = Client(
        HttpInstrumentation(flask_app.wsgi_app, "bounded", route_of=url_rules(flask_app))
    )
    for n in range(50):
        client.get(f"/v1/things/{n}")
        client.get(f"/v1/nothing-here-{n}/x")
    assert _counted(client, "bounded") == {"/v1/things/{thing_id}": 50.0, UNMATCHED: 50.0}


def test_an_app_without_rules_labels_by_its_own_route_of():
    client = Client(
        HttpInstrumentation(app, "plain", route_of=lambda env: env["PATH_INFO"].split("/")[2])
    )
    client.get("/v1/reports/42/download")
    client.get("/v1/reports/43/download")
    assert _counted(client, "plain") == {"reports": 2.0}
    assert route_label({"PATH_INFO": "/v1/x"}) == UNMATCHED


def test_a_path_with_a_nul_is_a_json_404_before_the_app_sees_it():
    client = Client(HttpInstrumentation(app, "test"))
    answer = client.get("/v1/reports/%00")
    assert answer.status_code == 404
    assert answer.json["code"] == 404 and answer.json["status"] == "Not Found"


def test_methods_clients_make_up_are_counted_without_keeping_a_child_each():
    """observe_request keeps each label set's children, up to a bound: a client picks the
    method it sends."""
    from setu_contract import metrics

    for n in range(metrics._MAX_REQUEST_CHILDREN + 100):
        metrics.observe_request("methods", f"M{n}", UNMATCHED, 405, 0.001)
    metrics.observe_request("methods", "M0", UNMATCHED, 405, 0.001)
    assert len(metrics._REQUEST_CHILDREN) <= metrics._MAX_REQUEST_CHILDREN

    def counted(method: str) -> float | None:
        labels = {"service": "methods", "method": method, "route": UNMATCHED, "status": "405"}
        return REGISTRY.get_sample_value("setu_http_requests_total", labels)

    assert counted("M0") == 2.0
    assert counted(f"M{metrics._MAX_REQUEST_CHILDREN + 50}") == 1.0
