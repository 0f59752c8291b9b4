"""Every report type's figures, from a known history of events, in every format."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from reports.services import read_model
from reports.store.db import transaction
from setu_contract.events import EventType
from setu_contract.http import Principal
from tests.integration.reports import factories as f
from tests.support.infra import wait_until

SECRETARIAT = Principal("org-s", "secretariat", "key-1", "JP").headers()
NOW = datetime.now(UTC)
# Ends tomorrow: the factories stamp events when they are made, which for a run crossing
# midnight (UTC) is already the day after this module was imported.
PERIOD = {
    "start": (NOW - timedelta(days=30)).date().isoformat(),
    "end": (NOW + timedelta(days=1)).date().isoformat(),
}
EARLIER = NOW - timedelta(days=45)


def _history() -> list[dict]:
    a, b = f.organisation("JP", "Tohoku University"), f.organisation("JP", "RIKEN")
    c, d = f.organisation("IN", "IIT Madras"), f.organisation("IN", "IISc Bengaluru")
    p1 = f.programme(a, c, focus_area="ai_research", jpy="1000", inr="10.00")
    p1["partners"].append({"organisation_id": d["id"], "role": "member", "country": "IN"})
    p2 = f.programme(b, d, focus_area="semiconductor_design", created_at=EARLIER - timedelta(1))
    events = [(EventType.ORGANISATION_REGISTERED, o) for o in (a, b, c, d)]
    events += [
        (EventType.PROGRAMME_CREATED, p1),
        (EventType.PROGRAMME_CREATED, p2),
        (EventType.PROGRAMME_STATUS_CHANGED, f.moved(p1, "approved", NOW)),
        (EventType.PROGRAMME_STATUS_CHANGED, f.moved(p2, "approved", EARLIER)),
    ]
    jp_phd = dict(direction="JP_TO_IN", career_stage="phd")
    in_eng = dict(direction="IN_TO_JP", career_stage="engineer")
    app1 = f.application(p1, a, c, days=100, **jp_phd)
    app2 = f.application(p1, a, c, days=50, **jp_phd)
    app3 = f.application(p1, c, a, days=20, **in_eng)
    app4 = f.application(p1, c, a, days=30, **in_eng)
    for app, steps in (
        (app1, [("submitted", NOW), ("endorsed", NOW), ("accepted", NOW)]),
        (app2, [("submitted", NOW), ("rejected", NOW)]),
        (app3, [("submitted", NOW), ("withdrawn", NOW)]),
        (app4, [("submitted", EARLIER), ("endorsed", EARLIER), ("accepted", NOW)]),
    ):
        events.append((EventType.APPLICATION_CREATED, app))
        for to, at in steps:
            app = f.moved(app, to, at)
            events.append((EventType.APPLICATION_STATUS_CHANGED, app))
    return [f.event(kind, data) for kind, data in events]


@pytest.fixture
def history(reports_service):
    with transaction(reports_service.sessions) as session:
        for envelope in _history():
            read_model.apply_event(session, envelope)


def _produce(client, report_type: str, fmt: str) -> bytes:
    created = client.post(
        "/v1/reports",
        json={"type": report_type, "format": fmt, "period": PERIOD},
        headers=SECRETARIAT,
    )
    assert created.status_code == 202, created.get_json()
    report_id = created.get_json()["id"]

    def done():
        body = client.get(f"/v1/reports/{report_id}", headers=SECRETARIAT).get_json()
        return body if body["status"] in ("succeeded", "failed") else None

    report = wait_until(done, timeout=60, message=f"{report_type} {fmt}")
    assert report["status"] == "succeeded", report
    return client.get(f"/v1/reports/{report_id}/download", headers=SECRETARIAT).data


def _csv(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode())))


def test_every_type_counts_what_its_definition_says(history, reports_worker, reports_client):
    flows = {
        (r["direction"], r["career_stage"]): r
        for r in _csv(_produce(reports_client, "exchange_flows", "csv"))
    }
    assert flows[("JP_TO_IN", "phd")] == {
        "direction": "JP_TO_IN",
        "career_stage": "phd",
        "submitted": "2",
        "endorsed": "1",
        "accepted": "1",
        "rejected": "1",
        "withdrawn": "0",
        "acceptance_rate": "0.5000",
        "mean_duration_days": "100.0",
    }
    assert flows[("IN_TO_JP", "engineer")] == {
        "direction": "IN_TO_JP",
        "career_stage": "engineer",
        "submitted": "1",
        "endorsed": "0",
        "accepted": "1",
        "rejected": "0",
        "withdrawn": "1",
        "acceptance_rate": "1.0000",
        "mean_duration_days": "30.0",
    }

    activity = {r["name"]: r for r in _csv(_produce(reports_client, "partner_activity", "csv"))}
    assert set(activity) == {"Tohoku University", "IIT Madras", "IISc Bengaluru"}
    figures = (
        "programmes_led",
        "programmes_joined",
        "applications_sent",
        "applications_hosted",
        "accepted",
    )
    assert [activity["Tohoku University"][k] for k in figures] == ["1", "0", "2", "1", "2"]
    assert [activity["IIT Madras"][k] for k in figures] == ["1", "0", "1", "2", "2"]
    assert [activity["IISc Bengaluru"][k] for k in figures] == ["0", "1", "0", "0", "0"]

    budget = _csv(_produce(reports_client, "budget_commitments", "csv"))
    assert budget == [
        {
            "month": NOW.strftime("%Y-%m"),
            "focus_area": "ai_research",
            "programmes": "1",
            "committed_jpy": "1000",
            "committed_inr": "10.00",
        }
    ]

    portfolio = json.loads(_produce(reports_client, "programme_portfolio", "json"))
    assert portfolio["tables"]["by_focus_area_and_status"] == [
        {
            "focus_area": "ai_research",
            "status": "approved",
            "programmes": 1,
            "budget_jpy": "1000",
            "budget_inr": "10.00",
        }
    ]
    assert portfolio["tables"]["lead_pairs"] == [
        {"japan_lead": "Tohoku University", "india_lead": "IIT Madras", "programmes": 1}
    ]


def test_html_and_pdf_carry_titles_tables_and_charts(
    history, reports_worker, reports_client, tmp_path
):
    page = _produce(reports_client, "exchange_flows", "html").decode()
    assert "<h1>Talent-exchange flows</h1>" in page
    assert page.count('<img src="data:image/png;base64,') == 2
    # Words, not codes: directions and career stages as a reader says them.
    assert "Japan to India" in page and "Doctoral student" in page
    assert "JP_TO_IN" not in page and ">phd<" not in page

    pdf = _produce(reports_client, "budget_commitments", "pdf")
    assert pdf.startswith(b"%PDF-")
    path = tmp_path / "budget.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / "page")], check=True, timeout=60
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert pages and pages[0].stat().st_size > 5_000
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, timeout=60
    ).stdout.decode()
    assert "Budget commitments" in text and "AI research" in text and "ai_research" not in text
    images = (
        subprocess.run(
            ["pdfimages", "-list", str(path)], capture_output=True, check=True, timeout=60
        )
        .stdout.decode()
        .splitlines()
    )
    charts = [line for line in images[2:] if line.split()[2] == "image"]  # not their masks
    assert len(charts) == 2
