"""Drive one programme through submission over the gateway and find its email (compose-smoke):
proposed by a JP partner, confirmed by the IN partner it names, submitted.

    python deploy/smoke_drive.py GATEWAY_URL MAIL_URL SECRETARIAT_KEY [PROMETHEUS_URL]

With PROMETHEUS_URL (the `ops` profile's Prometheus), then checks that every scrape job of
deploy/prometheus.yml has its targets up and that the work just done was counted: tasks of
both worker services, the email sent, the events the relays published. SMOKE_REPLICAS
(e.g. ``notifications-worker=2``) names jobs that must have that many targets: a scaled
service is scraped in every replica.

Standard library only: it runs on the host, against the ports docker-compose published on
127.0.0.1, and never inside a container.
"""

from __future__ import annotations

import email
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

PROMETHEUS_CONFIG = Path(__file__).with_name("prometheus.yml")


def call(method: str, url: str, key: str | None = None, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.urlopen(request, timeout=15) as answer:
            raw = answer.read()
            return answer.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw)
        except ValueError:
            return exc.code, raw.decode(errors="replace")


def expect(status: int, got: tuple[int, Any], what: str) -> Any:
    code, body = got
    print(f"smoke: {what}: {code}", flush=True)
    if code != status:
        raise SystemExit(f"smoke: {what} answered {code}, expected {status}: {body}")
    return body


def organisation(gateway: str, key: str, name: str, country: str) -> str:
    body = {
        "name": name,
        "country": country,
        "kind": "university",
        "contact_email": f"office-{country.lower()}@{uuid.uuid4().hex[:6]}.example",
    }
    created = expect(201, call("POST", f"{gateway}/v1/organisations", key, body), f"create {name}")
    return created["id"]


def programme_body(jp: str, india: str) -> dict[str, Any]:
    start = date.today() + timedelta(days=30)
    return {
        "title": "Compose smoke: chiplet packaging exchange",
        "summary": "Created by deploy/compose-smoke.sh.",
        "focus_area": "semiconductor_packaging",
        "partners": [
            {"organisation_id": jp, "role": "lead"},
            {"organisation_id": india, "role": "lead"},
        ],
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=365)).isoformat(),
        "budget": [
            {"organisation_id": jp, "currency": "JPY", "amount": "5000000"},
            {"organisation_id": india, "currency": "INR", "amount": "2500000.00"},
        ],
        "exchange_slots": 4,
    }


def find_mail(mail_url: str, reference: str, timeout: float = 90.0) -> email.message.Message:
    """Poll the catcher's HTTP listing until a message naming ``reference`` appears."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with urllib.request.urlopen(mail_url + "/", timeout=10) as answer:
            listing = answer.read().decode()
        for name in re.findall(r'href="([^"/]+\.eml)"', listing):
            with urllib.request.urlopen(f"{mail_url}/{name}", timeout=10) as answer:
                raw = answer.read()
            if reference.encode() in raw:
                return email.message_from_bytes(raw)
        time.sleep(1)
    raise SystemExit(f"smoke: no email naming {reference} within {timeout}s")


def download(url: str, key: str) -> bytes:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=15) as answer:
        return answer.read()


def report(gateway: str, key: str, timeout: float = 90.0) -> None:
    """Through nginx's auth_request to the real programmes: refused without a key, then a
    portfolio report that counts the submitted programme."""
    refused = call("POST", f"{gateway}/v1/reports", None, {})
    if refused[0] != 401 or not isinstance(refused[1], dict) or refused[1].get("code") != 401:
        raise SystemExit(f"smoke: /v1/reports without a key answered {refused}")
    print("smoke: POST /v1/reports without a key: 401 JSON", flush=True)
    today = date.today()
    body = {
        "type": "programme_portfolio",
        "format": "csv",
        "period": {
            "start": (today - timedelta(days=1)).isoformat(),
            "end": (today + timedelta(days=1)).isoformat(),
        },
    }
    job = expect(202, call("POST", f"{gateway}/v1/reports", key, body), "request report")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = expect(200, call("GET", f"{gateway}/v1/reports/{job['id']}", key), "report status")
        if state["status"] in ("succeeded", "failed"):
            break
        time.sleep(1)
    if state["status"] != "succeeded":
        raise SystemExit(f"smoke: the report did not succeed: {state}")
    csv = download(f"{gateway}/v1/reports/{job['id']}/download", key).decode()
    if "submitted" not in csv:
        raise SystemExit(f"smoke: the portfolio does not count the submitted programme:\n{csv}")
    print(
        f"smoke: report {job['id']} succeeded; its CSV counts the submitted programme", flush=True
    )


def scrape_jobs() -> set[str]:
    """The job names of deploy/prometheus.yml (read without a YAML parser: stdlib only)."""
    return set(re.findall(r"^\s*- job_name:\s*(\S+)\s*$", PROMETHEUS_CONFIG.read_text(), re.M))


def query(prometheus: str, promql: str) -> list[dict[str, Any]]:
    url = f"{prometheus}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
    code, body = call("GET", url)
    if code != 200 or not isinstance(body, dict) or body.get("status") != "success":
        raise SystemExit(f"smoke: Prometheus query {promql!r} answered {code}: {body}")
    return body["data"]["result"]


def series(result: list[dict[str, Any]]) -> str:
    """``{service="reports"} 3, ...`` of an instant vector, for the log."""
    shown = []
    for sample in result:
        labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample["metric"].items()))
        shown.append(f"{{{labels}}} {sample['value'][1]}")
    return ", ".join(shown) or "no series"


def replicas(spec: str) -> dict[str, int]:
    """``notifications-worker=2,reports-worker=1`` -> {job: number of targets}."""
    return {job: int(n) for job, _, n in (item.partition("=") for item in spec.split(",") if item)}


def targets_up(prometheus: str, timeout: float, expected: dict[str, int]) -> None:
    """Every job of deploy/prometheus.yml has at least one target (as many as ``expected``
    says for a scaled service), and every target is up."""
    jobs = scrape_jobs()
    if len(jobs) < 2:
        raise SystemExit(f"smoke: found only {jobs} in {PROMETHEUS_CONFIG}")
    deadline = time.monotonic() + timeout
    while True:
        code, body = call("GET", f"{prometheus}/api/v1/targets?state=active")
        if code != 200 or not isinstance(body, dict):
            raise SystemExit(f"smoke: Prometheus /api/v1/targets answered {code}: {body}")
        active = body["data"]["activeTargets"]
        per_job = {job: sum(t["labels"]["job"] == job for t in active) for job in jobs}
        found = {target["labels"]["job"] for target in active}
        down = [target for target in active if target["health"] != "up"]
        short = {job: per_job[job] for job, n in expected.items() if per_job.get(job) != n}
        if found == jobs and not down and not short:
            break
        if time.monotonic() > deadline:
            problems = [f"no target for {sorted(jobs - found)}"] if jobs - found else []
            problems += [f"targets per job {short}, expected {expected}"] if short else []
            problems += [f"unexpected jobs {sorted(found - jobs)}"] if found - jobs else []
            problems += [
                f"{t['scrapeUrl']} is {t['health']}: {t.get('lastError') or '-'}" for t in down
            ]
            raise SystemExit(f"smoke: Prometheus targets after {timeout}s: " + "; ".join(problems))
        time.sleep(3)
    for target in sorted(active, key=lambda t: (t["labels"]["job"], t["scrapeUrl"])):
        print(
            f"smoke: prometheus target {target['labels']['job']} {target['scrapeUrl']}: "
            f"{target['health']}",
            flush=True,
        )
    up = query(prometheus, "up")
    if len(up) != len(active) or any(float(s["value"][1]) != 1 for s in up):
        raise SystemExit(f"smoke: `up` is not 1 for every target: {series(up)}")
    print(f"smoke: prometheus: up == 1 for all {len(up)} targets of {len(jobs)} jobs", flush=True)


# (query, the label it sums by, the values of that label that must each be > 0; none named:
# any series > 0 will do). The drive sent an email (notifications worker), built a report
# (reports worker) and created and submitted a programme (the programmes relay's events).
COUNTED = [
    ("sum(setu_worker_tasks_total)", None, ()),
    ("sum by (service) (setu_worker_tasks_total)", "service", ("notifications", "reports")),
    # The worker's counter, by job: the notifications API exports a setu_emails_total of its
    # own (deliveries by status, from its table; see same_name_other_labels).
    ('sum(setu_emails_total{job="notifications-worker"})', None, ()),
    (
        'sum by (template) (setu_emails_total{job="notifications-worker",status="sent"})',
        "template",
        ("programme_submitted",),
    ),
    ("sum(setu_relay_events_total)", None, ()),
    ("sum by (service) (setu_relay_events_total)", "service", ("programmes",)),
    ("sum by (service) (setu_http_requests_total)", "service", ("gateway", "programmes")),
]


def positive(result: list[dict[str, Any]], label: str | None, required: tuple[str, ...]) -> bool:
    values = {(s["metric"].get(label) if label else None): float(s["value"][1]) for s in result}
    if required:
        return all(values.get(key, 0) > 0 for key in required)
    return any(value > 0 for value in values.values())


def same_name_other_labels(prometheus: str) -> dict[str, dict[str, list[str]]]:
    """Setu metric names that different jobs export with different label names (one name,
    two meanings: a sum over them adds unlike things): name -> {job: its label names}."""
    url = f"{prometheus}/api/v1/series?" + urllib.parse.urlencode(
        {"match[]": '{__name__=~"setu_.+"}'}
    )
    code, body = call("GET", url)
    if code != 200 or not isinstance(body, dict) or body.get("status") != "success":
        raise SystemExit(f"smoke: Prometheus /api/v1/series answered {code}: {body}")
    shapes: dict[str, dict[str, set[frozenset[str]]]] = {}
    for labels in body["data"]:
        keys = frozenset(labels) - {"__name__", "job", "instance", "le", "quantile"}
        shapes.setdefault(labels["__name__"], {}).setdefault(labels["job"], set()).add(keys)
    return {
        name: {job: sorted(set().union(*sets)) for job, sets in sorted(jobs.items())}
        for name, jobs in sorted(shapes.items())
        if len({frozenset().union(*sets) for sets in jobs.values()}) > 1
    }


def counted(prometheus: str, timeout: float) -> None:
    """The work the drive did shows in Prometheus (after a scrape or two)."""
    deadline = time.monotonic() + timeout
    for promql, label, required in COUNTED:
        while not positive(result := query(prometheus, promql), label, required):
            if time.monotonic() > deadline:
                raise SystemExit(f"smoke: {promql} is not > 0 after {timeout}s: {series(result)}")
            time.sleep(3)
        print(f"smoke: prometheus: {promql} = {series(result)}", flush=True)


def main(gateway: str, mail_url: str, secretariat_key: str, prometheus: str = "") -> None:
    expect(200, call("GET", f"{gateway}/healthz"), "GET /healthz")
    expect(200, call("GET", f"{gateway}/readyz"), "GET /readyz")
    spec = expect(200, call("GET", f"{gateway}/openapi.json"), "GET /openapi.json")
    print(f"smoke: the OpenAPI document has {len(spec.get('paths', {}))} paths", flush=True)
    with urllib.request.urlopen(f"{gateway}/docs", timeout=15) as answer:
        print(f"smoke: GET /docs: {answer.status} {answer.headers['Content-Type']}", flush=True)
    jp = organisation(gateway, secretariat_key, "Smoke University Tokyo", "JP")
    india = organisation(gateway, secretariat_key, "Smoke Institute Bengaluru", "IN")
    key, india_key = (
        expect(
            201,
            call(
                "POST",
                f"{gateway}/v1/organisations/{organisation_id}/api-keys",
                secretariat_key,
                {"name": "smoke", "role": "partner"},
            ),
            "create partner key",
        )["key"]
        for organisation_id in (jp, india)
    )
    programme = expect(
        201,
        call("POST", f"{gateway}/v1/programmes", key, programme_body(jp, india)),
        "create programme",
    )
    expect(
        200,
        call(
            "POST",
            f"{gateway}/v1/programmes/{programme['id']}/participation",
            india_key,
            {"decision": "confirm"},
        ),
        "the IN partner confirms its participation",
    )
    submitted = expect(
        200,
        call(
            "POST",
            f"{gateway}/v1/programmes/{programme['id']}/transitions",
            key,
            {"action": "submit"},
        ),
        "submit programme",
    )
    print(f"smoke: {submitted['reference']} is {submitted['status']}", flush=True)
    message = find_mail(mail_url, submitted["reference"])
    subject = " ".join(str(message["Subject"]).split())  # unfolded: one line in the log
    print(f"smoke: email to {message['To']}: {subject}", flush=True)
    for header in ("X-Setu-Event-Id", "X-Setu-Notification-Id"):
        if not message[header]:
            raise SystemExit(f"smoke: the email lacks {header}")
        print(f"smoke: {header}: {message[header]}", flush=True)
    report(gateway, secretariat_key)
    if prometheus:
        targets_up(prometheus, timeout=120, expected=replicas(os.environ.get("SMOKE_REPLICAS", "")))
        counted(prometheus, timeout=90)
        for name, jobs in same_name_other_labels(prometheus).items():
            print(f"smoke: WARNING: {name} means different things per job: {jobs}", flush=True)
    print("smoke: OK", flush=True)


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
