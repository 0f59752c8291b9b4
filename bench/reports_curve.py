"""Reports: seconds to produce programme_portfolio over 10k, 100k and 1M programmes.

Each size is compared with the same aggregate written by hand and run in psql (the ceiling:
the database alone, no Python). The service side is the worker's own function,
``reports.services.generate.generate_report``, called in-process (claim, compute, render CSV,
write the file, mark it done with its outbox row), without the Celery hop.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from bench.context import Context
from bench.harness import Measurement, Target
from bench.seed import plain_url, seed_organisations, seed_programmes
from tests.support.infra import postgres_database

SIZES = (10_000, 100_000, 1_000_000)
PERIOD = (date(2026, 1, 1), date(2026, 12, 31))
RAW_SQL = Path(__file__).resolve().parent / "sql" / "programme_portfolio.sql"
REPEATS = 2


def psql_seconds(url: str) -> tuple[float, str]:
    """Best of REPEATS: the sum of psql's own \\timing lines for the file's queries."""
    argv = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null", "-d", plain_url(url)]
    argv += ["-f", str(RAW_SQL)]
    best = float("inf")
    for _ in range(REPEATS):
        done = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=600)
        times = [float(t) for t in re.findall(r"Time: ([0-9.]+) ms", done.stdout)]
        best = min(best, sum(times) / 1000)
    shown = (
        " ".join(argv)
        .replace(plain_url(url), "$REPORTS_DB")
        .replace(str(RAW_SQL.parent.parent.parent) + "/", "")
    )
    return best, shown


def service_seconds(url: str, reports_dir: Path) -> float:
    from reports.services import jobs
    from reports.services.generate import generate_report
    from reports.store.db import make_engine, make_sessionmaker, transaction

    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    best = float("inf")
    for _ in range(REPEATS):
        request = jobs.ReportRequest(
            "programme_portfolio", "csv", *PERIOD, {}, [], correlation_id="bench-reports"
        )
        with transaction(factory) as session:
            report_id = jobs.request_report(session, request)
        started = time.perf_counter()
        outcome = generate_report(factory, reports_dir, report_id)
        best = min(best, time.perf_counter() - started)
        if outcome != "succeeded":
            raise RuntimeError(f"the report ended {outcome}")
    engine.dispose()
    return best


def run(ctx: Context) -> Iterator[Measurement]:
    from reports.store.migrate import upgrade

    url = ctx.stack.enter_context(postgres_database())
    upgrade(url)
    seed_organisations(url)
    reports_dir = Path(ctx.stack.enter_context(tempfile.TemporaryDirectory()))
    sizes = [s // 10 for s in SIZES[:2]] if ctx.quick else list(SIZES)
    seeded = 0
    for size in sizes:
        started = time.perf_counter()
        seed_programmes(url, seeded + 1, size)
        seed_seconds = time.perf_counter() - started
        seeded = size
        raw, command = psql_seconds(url)
        label = f"{size:,} programmes"
        ceiling = f"reports.raw_sql_{size}"
        yield Measurement(
            ceiling,
            f"raw SQL aggregate in psql, {label}",
            {"seconds": raw},
            headline="seconds",
            commands=[command],
            notes=[f"best of {REPEATS}; sum of psql \\timing over the two aggregates"],
        )
        targets = [Target("seconds", "<=", 2.0, of_ceiling=True)]
        if size >= 1_000_000:
            targets.append(Target("seconds", "<=", 5.0))
        yield Measurement(
            f"reports.portfolio_{size}",
            f"programme_portfolio CSV, {label} (+{seed_seconds:.0f}s to seed)",
            {"seconds": service_seconds(url, reports_dir)},
            headline="seconds",
            commands=["reports.services.generate.generate_report(factory, dir, job_id)"],
            ceiling=ceiling,
            targets=targets,
            notes=[
                f"best of {REPEATS}; read model seeded with generate_series: each programme "
                "has a JP and an IN lead and two budget lines"
            ],
        )
