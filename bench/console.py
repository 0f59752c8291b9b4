"""The console under gunicorn with the production settings, next to the API read it is
built on: My work and a programme page, each at its maximum rate and at half of it.

The console calls the programmes API (on PostgreSQL) directly here, not through a gateway,
so that what is compared is the console's own cost over the API reads each page makes: a
programme page is one GET /v1/programmes/{id}; a partner's My work is one GET /v1/me/work
(each queue of its role: the programmes and applications whose allowed actions hold the
queue's, their exact count and the oldest 20), sent as the console sends it.
The session is a partner key in the console's cookie, as tests/support/console_session.py
makes it (people cannot sign in yet).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from urllib.parse import urlencode

from bench.api import checked, paced
from bench.context import Context, on_workers
from bench.harness import Measurement, Target
from bench.programmes_setup import Programmes, clone_programme, start_programmes
from bench.wrk import WrkRun
from console.api_client.work_api_client import WORK
from console.views.my_work import SHOWN
from setu_contract.secret_settings import INTERNAL_SECRET, SECRET_KEY, new_secret
from tests.support.console_session import key_session_cookie

SEEDED = 10_000
API_READ = "console.api_read"
API_LISTS = "console.api_lists"
# The reads a partner's My work makes for one page, as it sends them.
MY_WORK_LISTS = [f"{WORK}?{urlencode({'page_size': SHOWN})}"]
MY_WORK_READS = len(MY_WORK_LISTS)
CONSOLE_TARGETS = [Target("req_per_s", ">=", 0.4, of_ceiling=True)]
PACED_TARGETS = [Target("p99_ms", "<=", 100.0)]


def _measure(
    ctx: Context,
    server: str,
    name: str,
    label: str,
    load: WrkRun,
    reads_a_unit: int = 1,
    **extra,
) -> Iterator[Measurement]:
    figures = on_workers(ctx, server, load.run)
    if reads_a_unit > 1:
        figures = _as_units(figures, reads_a_unit)
    at_max = checked(
        Measurement(
            name,
            label,
            figures,
            headline="req_per_s",
            commands=[ctx.gunicorn_commands[server], load.command()],
            **extra,
        )
    )
    yield at_max
    if at_max.status != "ok" or name in (API_READ, API_LISTS):
        return
    yield checked(
        Measurement(
            f"{name}.half_rate",
            f"{label}, paced at half its maximum",
            paced(load, at_max.figures["req_per_s"] / 2),
            headline="p99_ms",
            commands=[ctx.gunicorn_commands[server], load.command()],
            targets=PACED_TARGETS,
            notes=["paced with wrk's per-connection delay (closed loop), calibrated on 2 s runs"],
        )
    )


def partner_cookie(api: Programmes, secret: str) -> str:
    """The console's session cookie of the bench's JP partner (its key, in English)."""
    me = {
        "name": "bench partner",
        "role": "partner",
        "organisation_id": api.jp_org,
        "organisation_name": "Bench JP university",
        "country": "JP",
    }
    return key_session_cookie(secret, api.partner_key, me, "en")


def run(ctx: Context) -> Iterator[Measurement]:
    api = start_programmes(ctx)
    template = api.confirmed_draft()
    ids = clone_programme(api.database_url, template, ctx.scale(SEEDED))
    secret = new_secret()
    # The API's internal secret, as in the topology: the console signs each person's address.
    console_env = {"SETU_API_URL": api.base, SECRET_KEY: secret}
    console_env[INTERNAL_SECRET] = api.env[INTERNAL_SECRET]
    console = ctx.gunicorn("console", "console.app:create_app()", console_env)
    cookie = "setu_console=" + partner_cookie(api, secret)
    sample = random.sample(ids, 200)
    notes = [f"{len(ids) + 1:,} programmes in the database (cloned server-side)"]
    read = WrkRun(
        api.base + "/v1/programmes/x",
        ctx.seconds,
        env={
            "BENCH_AUTH": api.partner_key,
            "BENCH_PATHS": ",".join(f"/v1/programmes/{i}" for i in sample),
        },
    )
    yield from _measure(
        ctx,
        "programmes-api",
        API_READ,
        "GET /v1/programmes/{id} (the read under the console)",
        read,
        notes=notes,
    )
    page = WrkRun(
        console + "/console/programmes/x",
        ctx.seconds,
        env={
            "BENCH_COOKIE": cookie,
            "BENCH_PATHS": ",".join(f"/console/programmes/{i}" for i in sample),
        },
    )
    yield from _measure(
        ctx,
        "console",
        "console.programme_page",
        "console: a programme's page (HTML)",
        page,
        ceiling=API_READ,
        targets=CONSOLE_TARGETS,
        notes=[*notes, "one API read a page"],
    )
    # My work is built on its read of the API: its ceiling is that read.
    lists = ",".join(MY_WORK_LISTS)
    reads = WrkRun(
        api.base + "/v1/programmes",
        ctx.seconds,
        env={"BENCH_AUTH": api.partner_key, "BENCH_PATHS": lists},
    )
    yield from _measure(
        ctx,
        "programmes-api",
        API_LISTS,
        "GET /v1/me/work, the read of a partner's My work",
        reads,
        reads_a_unit=MY_WORK_READS,
        notes=[*notes, "five queues for a partner, 20 of each at most"],
    )
    my_work = WrkRun(console + "/console/", ctx.seconds, env={"BENCH_COOKIE": cookie})
    yield from _measure(
        ctx,
        "console",
        "console.my_work",
        "console: a partner's My work (HTML)",
        my_work,
        ceiling=API_LISTS,
        targets=CONSOLE_TARGETS,
        notes=[
            *notes,
            "one API read a page (GET /v1/me/work, five queues, 20 of each at most)",
        ],
    )


def _as_units(figures: dict[str, float], reads: int) -> dict[str, float]:
    """Single reads counted as units of ``reads``: the reads one page is built on, as one."""
    requests = figures.pop("req_per_s")
    return {"req_per_s": round(requests / reads, 1), "requests_per_s": requests, **figures}
