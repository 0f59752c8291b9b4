"""API throughput and latency under gunicorn on PostgreSQL, driven by wrk from outside.

Each endpoint is run twice: at its maximum rate (as many requests as wrk's connections can
get answered) and paced at half of that maximum, where the p99 target applies.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator

from bench import ceilings
from bench.context import Context, on_workers
from bench.harness import FAILED, Measurement, Target, failed, not_measured
from bench.programmes_setup import Client, Programmes, clone_programme, start_programmes
from bench.wrk import WrkRun

SEEDED = 100_000
READ_TARGETS = [Target("req_per_s", ">=", 0.5, of_ceiling=True)]
PACED_TARGETS = [Target("p99_ms", "<=", 25.0)]
WRITE_TARGETS = [Target("req_per_s", ">=", 500.0)]
ERROR_SHARE = 0.001
CALIBRATION_RUNS = 3


def checked(m: Measurement) -> Measurement:
    """A run whose answers were not 2xx (or whose sockets failed) is reported as failed."""
    bad = m.figures.get("errors", 0) + m.figures.get("non_2xx", 0)
    if bad > ERROR_SHARE * max(m.figures.get("requests", 0), 1):
        m.status = FAILED
        m.reason = f"{bad:.0f} of {m.figures.get('requests', 0):.0f} requests failed or not 2xx"
    return m


def paced(load: WrkRun, rate: float) -> dict[str, float]:
    """Run ``load`` at about ``rate`` requests/s with wrk's per-connection delay.

    wrk paces a closed loop (each connection waits after its answer), so the delay is
    calibrated on short runs until the rate lands within 10% of the goal.
    """
    delay = load.connections * 1000 / rate
    for _ in range(CALIBRATION_RUNS):
        probe = WrkRun(load.url, 2, load.script, load.connections, dict(load.env or {}))
        probe.env["BENCH_DELAY_MS"] = f"{delay:.2f}"
        achieved = probe.run()["req_per_s"]
        if abs(achieved - rate) <= 0.1 * rate:
            break
        delay = max(delay * achieved / rate, 0.1)
    load.env = {**(load.env or {}), "BENCH_DELAY_MS": f"{delay:.2f}"}
    figures = load.run()
    figures["target_rate"] = rate
    return figures


def endpoint(
    ctx: Context, name: str, label: str, load: WrkRun, targets: list[Target], notes: list[str]
) -> Iterator[Measurement]:
    server = ctx.gunicorn_commands["programmes-api"]
    at_max = checked(
        Measurement(
            name,
            label,
            on_workers(ctx, "programmes-api", load.run),
            headline="req_per_s",
            commands=[server, load.command()],
            ceiling=ceilings.HTTP,
            targets=targets,
            notes=list(notes),
        )
    )
    yield at_max
    if at_max.status != "ok":
        return
    figures = paced(load, at_max.figures["req_per_s"] / 2)
    yield checked(
        Measurement(
            f"{name}.half_rate",
            f"{label}, paced at half its maximum",
            figures,
            headline="p99_ms",
            commands=[server, load.command()],
            targets=PACED_TARGETS,
            notes=["paced with wrk's per-connection delay (closed loop), calibrated on 2 s runs"],
        )
    )


def _supported(client: Client, method: str, path: str, body: object = None) -> bool:
    status, _, _ = client.call(method, path, body)
    return status not in (404, 405)


def run(ctx: Context) -> Iterator[Measurement]:
    api = start_programmes(ctx)
    client = Client(api.base, api.partner_key)
    template = api.confirmed_draft()
    ids = clone_programme(api.database_url, template, ctx.scale(SEEDED))
    notes = [f"{len(ids) + 1:,} programmes in the database (cloned server-side)"]
    read_notes = [
        *notes,
        "reads of kept programmes and pages: each API process keeps what it has read until a "
        "write to programmes or organisations (store/kept_programmes.py); no writes run here",
    ]
    auth = {"BENCH_AUTH": api.partner_key}
    sample = ",".join(f"/v1/programmes/{i}" for i in random.sample(ids, 200))
    get_one = WrkRun(
        api.base + "/v1/programmes/x", ctx.seconds, env={**auth, "BENCH_PATHS": sample}
    )
    yield from endpoint(
        ctx, "api.get_programme", "GET /v1/programmes/{id}", get_one, READ_TARGETS, read_notes
    )
    yield from _list(ctx, api, client, auth, read_notes)
    yield from _write(ctx, api, client, ids, auth)


def _list(ctx: Context, api: Programmes, client: Client, auth: dict, notes: list[str]):
    name, label = "api.list_programmes", "GET /v1/programmes?page_size=20"
    if not _supported(client, "GET", "/v1/programmes?page_size=20"):
        yield not_measured(name, label, "the programmes API has no GET /v1/programmes yet")
        return
    pages = ",".join(f"/v1/programmes?page_size=20&page={p}" for p in range(1, 51))
    load = WrkRun(api.base + "/v1/programmes", ctx.seconds, env={**auth, "BENCH_PATHS": pages})
    yield from endpoint(ctx, name, label, load, READ_TARGETS, [*notes, "pages 1 to 50 in turn"])


def _write(ctx: Context, api: Programmes, client: Client, ids: list[str], auth: dict):
    if not _supported(client, "POST", "/v1/applications", {}):
        yield from _write_programmes(ctx, api, auth)
        return
    body = application_body(api, ids[0])
    status, answer, _ = client.call("POST", "/v1/applications", body)
    name, label = "api.create_application", "POST /v1/applications"
    if status != 201:
        yield failed(name, label, f"a valid application was answered {status}: {answer}")
        return
    body["applicant"]["email"] = "applicant-{n}@bench.example"
    body["programme_id"] = "{id}"
    spread = ",".join(random.sample(ids, min(200, len(ids))))
    load = WrkRun(
        api.base + "/v1/applications",
        ctx.seconds,
        "post.lua",
        env={**auth, "BENCH_BODY": json.dumps(body), "BENCH_IDS": spread},
    )
    notes = [
        "auth, validation, the application, its reference number, an outbox row",
        "spread over 200 programmes in turn (each INSERT share-locks its programme's row, as "
        "its foreign key is checked)",
    ]
    yield from endpoint(ctx, name, label, load, WRITE_TARGETS, notes)


def application_body(api: Programmes, programme_id: str) -> dict:
    return {
        "programme_id": programme_id,
        "applicant": {
            "full_name": "Bench Applicant",
            "email": "applicant@bench.example",
            "nationality": "JP",
            "preferred_language": "en",
        },
        "career_stage": "phd",
        "host_organisation_id": api.in_org,
        "start_date": "2027-06-01",
        "end_date": "2027-11-30",
        "statement": "I will work on chiplet packaging for low-power inference at the host lab.",
    }


def _write_programmes(ctx: Context, api: Programmes, auth: dict):
    body = api.programme_body("Bench programme {n}")
    load = WrkRun(
        api.base + "/v1/programmes",
        ctx.seconds,
        "post.lua",
        env={**auth, "BENCH_BODY": json.dumps(body)},
    )
    note = "POST /v1/applications does not exist yet: measured POST /v1/programmes instead"
    yield from endpoint(
        ctx,
        "api.create_programme",
        "POST /v1/programmes (stands in for POST /v1/applications)",
        load,
        WRITE_TARGETS,
        [note, "auth, validation, the programme, its partners and budget, an outbox row"],
    )
