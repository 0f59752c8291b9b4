"""Every report type, in html and pdf, in each language, reads as a person expects.

The read model holds organisations named in Japanese, in Devanagari and in long English, and
figures in this period and the one before it. Each report is produced by the worker's own
function (claim, compute, render, store) in this process, where:
- a character drawn in a chart without a glyph fails the test (matplotlib's missing-glyph
  warning is an error here);
- the PDF embeds only the report fonts, every character of the page has a glyph in one of
  them, the names come back out of it, and no word lies beyond the page's margins (a table
  wider than A4 would put its last columns there);
- neither html nor pdf shows an internal id or a code where a word belongs.
The pages are turned into PNG (pdftoppm) under test-artifacts/report-pages/<database>/
<language>/ (ignored by git; SETU_TEST_ARTIFACTS moves it), for a person to look at.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import warnings
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

import pytest
from fontTools.ttLib import TTCollection, TTFont

from reports.domain.catalogue import REPORT_TYPES
from reports.services import generate, jobs, read_model
from reports.store.db import transaction
from reports.store.models import ReportJob
from setu_contract.events import EventType
from setu_contract.vocabulary import CAREER_STAGES, FOCUS_AREAS, PROGRAMME_STATUSES
from tests.integration.reports import factories as f

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = Path(os.environ.get("SETU_TEST_ARTIFACTS") or ROOT / "test-artifacts") / "report-pages"
PERIOD = (date(2026, 1, 1), date(2026, 3, 31))
THIS, BEFORE = datetime(2026, 2, 10, 9, tzinfo=UTC), datetime(2025, 11, 20, 9, tzinfo=UTC)
FONTS = ("Noto Sans", "Noto Sans CJK JP", "Noto Sans Devanagari")
NAMES = {
    "JP": ("東北大学", "国立研究開発法人 産業技術総合研究所", "Tokyo Institute of Science"),
    "IN": (
        "भारतीय विज्ञान संस्थान",
        "भारतीय प्रौद्योगिकी संस्थान मद्रास",
        "Centre for Development of Advanced Computing, Pune (C-DAC)",
    ),
}
TITLES = {
    "en": "Partner activity",
    "ja": "パートナー機関の活動",
    "hi": "साझेदार गतिविधि",
}
SCREENING_CODES = ("licence_required", "needs_information")
CODES = [
    c
    for c in (*FOCUS_AREAS, *PROGRAMME_STATUSES, "JP_TO_IN", "IN_TO_JP", *SCREENING_CODES)
    if "_" in c
]
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
A4_WIDTH, MARGIN = 595.28, 14 * 72 / 25.4  # points; the template's left and right margin


# The statuses a programme passes through to reach each status of the charts.
ROUTES = {
    "draft": (),
    "under_review": ("submitted", "under_review"),
    "approved": ("submitted", "under_review", "approved"),
    "active": ("submitted", "under_review", "approved", "active"),
    "rejected": ("submitted", "under_review", "rejected"),
    "completed": ("submitted", "under_review", "approved", "active", "completed"),
}


# A call for proposals closing in the period, answered by the first programmes.
CALL = {
    "id": "call-look",
    "title": "半導体パッケージング共同研究 2026 / Semiconductor packaging",
    "focus_areas": list(FOCUS_AREAS),
    "opens_at": BEFORE.isoformat(),
    "closes_at": THIS.isoformat(),
    "timezone": "Asia/Tokyo",
    "budget_envelope": {"JPY": "300000000", "INR": "90000000.00"},
    "status": "closed",
    "version": 2,
}


def _programme_events(
    jp: dict, india: dict, area: str, status: str, when: datetime, call_id: str | None = None
) -> list:
    p = f.programme(jp, india, focus_area=area, jpy="120000000", inr="40000000.00",
                    created_at=when)  # fmt: skip
    p["call_id"] = call_id
    events = [(EventType.PROGRAMME_CREATED, p)]
    for step in ROUTES[status]:
        p = f.moved(p, step, when)
        events.append((EventType.PROGRAMME_STATUS_CHANGED, p))
    return events


# Screenings of the first programmes (compliance): (side, outcome, licence valid until).
SCREENINGS = [
    ("JP", "cleared", None),
    ("IN", "licence_required", date(2026, 2, 14)),  # expired within the period: on hold
    ("JP", "licence_required", date(2026, 4, 15)),  # expiring within 30 days of its end
    ("IN", "needs_information", None),
    ("IN", "licence_required", date(2027, 1, 31)),
]


def _screening(programme: dict, n: int, application_id: str | None = None) -> dict:
    side, outcome, valid_until = SCREENINGS[n % len(SCREENINGS)]
    number = f"2026-{n:03d}"
    return f.screening(
        programme,
        side,
        outcome,
        THIS,
        valid_until,
        application_id,
        number,
        id=f"screening-look-{n}",
    )


def _history() -> tuple[list[dict], list[str]]:
    orgs = {c: [f.organisation(c, name) for name in NAMES[c]] for c in ("JP", "IN")}
    events = [(EventType.ORGANISATION_REGISTERED, o) for o in orgs["JP"] + orgs["IN"]]
    events.append((EventType.CALL_CREATED, CALL))
    stages = iter(CAREER_STAGES * 4)
    plan = [(THIS, a) for a in FOCUS_AREAS[:6]] + [(BEFORE, a) for a in FOCUS_AREAS[:3]]
    for n, (when, area) in enumerate(plan):
        jp, india = orgs["JP"][n % 3], orgs["IN"][(n + 1) % 3]
        status = list(ROUTES)[n % len(ROUTES)]
        programme = _programme_events(jp, india, area, status, when, CALL["id"] if n < 4 else None)
        events += programme
        if n < 4:
            events.append((EventType.SCREENING_RECORDED, _screening(programme[0][1], n)))
        for direction, home, host in (("JP_TO_IN", jp, india), ("IN_TO_JP", india, jp)):
            app = f.application(programme[0][1], home, host, direction=direction,
                                career_stage=next(stages), days=90 + 30 * n)  # fmt: skip
            events.append((EventType.APPLICATION_CREATED, app))
            if n == 0 and direction == "JP_TO_IN":
                person = _screening(programme[0][1], 4, application_id=app["id"])
                events.append((EventType.SCREENING_RECORDED, person))
            if n % 2 == 0:  # accepted: planned to arrive in the period, and most did
                app = {**app, "start_date": f"2026-03-{n + 1:02d}", "end_date": "2026-09-30"}
            for to in ("submitted", "endorsed", ("accepted", "rejected")[n % 2]):
                app = f.moved(app, to, when)
                events.append((EventType.APPLICATION_STATUS_CHANGED, app))
            if n % 4 == 0:
                arrived = f.mobility_item_updated(app, when, f"2026-03-{n + 2:02d}")
                events.append((EventType.MOBILITY_ITEM_UPDATED, arrived))
    ids = [o["id"] for group in orgs.values() for o in group]
    return [f.event(kind, data) for kind, data in events], ids


@pytest.fixture
def showcase(reports_service) -> list[str]:
    """The history applied to the read model; the organisations' ids."""
    envelopes, ids = _history()
    with transaction(reports_service.sessions) as session:
        for envelope in envelopes:
            read_model.apply_event(session, envelope)
    return ids


def _produce(service, report_type: str, fmt: str, language: str) -> bytes:
    request = jobs.ReportRequest(report_type, fmt, *PERIOD, {}, [], "look", language=language)
    with transaction(service.sessions) as session:
        report_id = jobs.request_report(session, request)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r"(?s).*[Gg]lyph.*missing")
        outcome = generate.generate_report(service.sessions, service.config.reports_dir, report_id)
    with service.sessions() as session:
        job = session.get(ReportJob, report_id)
        assert outcome == "succeeded", job.error
        return Path(job.path).read_bytes()


@cache
def _coverage(family: str) -> frozenset[int]:
    """The code points a family's fonts have glyphs for."""
    listed = subprocess.run(["fc-list", family, "-f", "%{file}\n"], capture_output=True,
                            text=True, check=True, timeout=30).stdout.split()  # fmt: skip
    points: set[int] = set()
    for path in set(listed):
        faces = TTCollection(path).fonts if path.endswith(".ttc") else [TTFont(path)]
        for face in faces:
            points.update(face.getBestCmap() or {})
    return frozenset(points)


def _text_of(page: str) -> str:
    body = page.split("<body>", 1)[1]
    return html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r'src="[^"]+"', "", body)))


def _check_shown(text: str, ids: list[str]) -> None:
    assert not any(i in text for i in ids), "an organisation's id is shown"
    assert not UUID.search(text), UUID.search(text)
    shown_codes = [code for code in CODES if code in text]
    assert not shown_codes, f"codes shown instead of words: {shown_codes}"


def _check_glyphs(text: str) -> None:
    covered = set().union(*(_coverage(family) for family in FONTS))
    missing = {ch for ch in text if not ch.isspace() and ord(ch) not in covered}
    assert not missing, f"drawn without a glyph: {sorted(missing)}"


def _pdf(path: Path, *args: str) -> str:
    """What a poppler tool says of the PDF (the text ones write to standard output)."""
    argv = [*args, str(path)] if args[0] == "pdffonts" else [*args, str(path), "-"]
    return subprocess.run(argv, capture_output=True, text=True, check=True, timeout=60).stdout


def _check_pdf(path: Path, language: str, names: bool) -> None:
    fonts = {line.split()[0].split("+", 1)[1] for line in _pdf(path, "pdffonts").splitlines()[2:]}
    allowed = {f.replace(" ", "-") + bold for f in FONTS for bold in ("", "-Bold")}
    assert fonts <= allowed, f"fonts other than the report's: {fonts - allowed}"
    assert all(line.split()[-5] == "yes" for line in _pdf(path, "pdffonts").splitlines()[2:])
    text = _pdf(path, "pdftotext")
    assert "\ufffd" not in text
    for name in NAMES["JP"][:2] if names else ():
        assert name.replace(" ", "") in re.sub(r"\s", "", text), name
    if language == "hi":
        assert "Noto-Sans-Devanagari" in fonts and re.search("[\u0900-\u097f]", text)
    page = _pdf(path, "pdftotext", "-bbox")
    widths = [float(w) for w in re.findall(r'<page width="([\d.]+)"', page)]
    assert widths and all(abs(w - A4_WIDTH) < 1 for w in widths), widths
    words = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)<', page)
    outside = [
        w for x0, x1, w in words if float(x0) < MARGIN - 2 or float(x1) > A4_WIDTH - MARGIN + 2
    ]
    assert not outside, f"beyond the page's margins: {outside[:12]}"


def _pages_as_png(path: Path, directory: Path, stem: str) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob(f"{stem}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(path), str(directory / stem)],
                   check=True, timeout=120)  # fmt: skip
    return sorted(directory.glob(f"{stem}-*.png"))


@pytest.mark.parametrize("language", ["en", "ja", "hi"])
def test_every_report_reads_in_its_language_with_every_glyph_within_the_page(
    reports_service, showcase, language, database_kind, tmp_path
):
    database = database_kind
    for report_type in REPORT_TYPES:
        page = _produce(reports_service, report_type, "html", language).decode()
        assert f'<html lang="{language}">' in page
        text = _text_of(page)
        _check_shown(text, showcase)
        _check_glyphs(text)
        names = report_type in ("partner_activity", "programme_portfolio")
        for name in NAMES["JP"] + NAMES["IN"][:2] if names else ():
            assert name in text, name
        if report_type == "programme_portfolio":
            assert "¥720,000,000" in text and "₹24,00,00,000.00" in text
        pdf = tmp_path / f"{report_type}.pdf"
        pdf.write_bytes(_produce(reports_service, report_type, "pdf", language))
        _check_pdf(pdf, language, names)
        pages = _pages_as_png(pdf, ARTIFACTS / database / language, report_type)
        assert pages and all(p.stat().st_size > 5_000 for p in pages)
    assert TITLES[language] in _text_of(
        _produce(reports_service, "partner_activity", "html", language).decode()
    )
