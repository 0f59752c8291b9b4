"""Drive one programme through submission over the gateway and find its email (compose-smoke).

    python deploy/smoke_drive.py GATEWAY_URL MAIL_URL SECRETARIAT_KEY

Standard library only: it runs on the host, against the ports docker-compose published on
127.0.0.1, and never inside a container.
"""

from __future__ import annotations

import email
import json
import re
import sys
import time
import urllib.error
import urllib.request
import uuid
from datetime import date, timedelta
from typing import Any


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


def main(gateway: str, mail_url: str, secretariat_key: str) -> None:
    expect(200, call("GET", f"{gateway}/healthz"), "GET /healthz")
    expect(200, call("GET", f"{gateway}/readyz"), "GET /readyz")
    spec = expect(200, call("GET", f"{gateway}/openapi.json"), "GET /openapi.json")
    print(f"smoke: the OpenAPI document has {len(spec.get('paths', {}))} paths", flush=True)
    with urllib.request.urlopen(f"{gateway}/docs", timeout=15) as answer:
        print(f"smoke: GET /docs: {answer.status} {answer.headers['Content-Type']}", flush=True)
    jp = organisation(gateway, secretariat_key, "Smoke University Tokyo", "JP")
    india = organisation(gateway, secretariat_key, "Smoke Institute Bengaluru", "IN")
    key = expect(
        201,
        call(
            "POST",
            f"{gateway}/v1/organisations/{jp}/api-keys",
            secretariat_key,
            {"name": "smoke", "role": "partner"},
        ),
        "create partner key",
    )["key"]
    programme = expect(
        201,
        call("POST", f"{gateway}/v1/programmes", key, programme_body(jp, india)),
        "create programme",
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
    print(f"smoke: email to {message['To']}: {message['Subject']}", flush=True)
    for header in ("X-Setu-Event-Id", "X-Setu-Notification-Id"):
        if not message[header]:
            raise SystemExit(f"smoke: the email lacks {header}")
        print(f"smoke: {header}: {message[header]}", flush=True)
    report(gateway, secretariat_key)
    print("smoke: OK", flush=True)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
