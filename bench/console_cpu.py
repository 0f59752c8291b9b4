"""`python -m bench.console_cpu`: the console's own CPU per page, in process, next to the
API's CPU for the reads under it: a measure a busy machine disturbs little.

`make bench` compares throughputs, which on a shared machine swing with the other work on
it (its `load` column). This counts CPU seconds instead: the console's create_app is called
in this process (the production settings) and each page is asked of its WSGI app directly,
against a programmes API under gunicorn on PostgreSQL as `bench/console.py` starts it; the
API's CPU is read from its workers in /proc. Each figure is the best of three runs.

``implied`` is the ratio `make bench` would show on a machine with nothing else on it if
both were CPU-bound on the same cores: the CPU of the reads alone, driven by wrk at their
maximum as `make bench` drives them (the API's workers' and wrk's), over the page's (the
console's and its reads'). The reads a page makes cost the API more than the same reads at
its maximum: they come one at a time to a server with idle threads, each waking the
worker's loop and a thread, where at its maximum one wake-up serves several.

``--served SECONDS`` puts the console under gunicorn as `bench/console.py` does and drives
a programme page with wrk: the CPU a page of the console's workers, of the API's workers and
of wrk, and the context switches a page each server's threads make; then the read alone at
its maximum, and paced at the page's rate (the API's CPU a read as the console's calls
come), with the implied ratio of the served figures.

``--undrawn`` (with ``--served``) replaces the programme page's drawing with a constant page
(`bench/console_undrawn.py`): the floor of a page's cost before any template work.

    python -m bench.console_cpu [pages] [--served SECONDS [--undrawn]]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from werkzeug.test import EnvironBuilder

from bench.console import MY_WORK_LISTS, MY_WORK_READS, partner_cookie
from bench.context import Context, children_cpu
from bench.programmes_setup import Programmes, clone_programme, start_programmes
from bench.wrk import CONNECTIONS, WrkRun
from setu_contract.secret_settings import INTERNAL_SECRET, SECRET_KEY, new_secret
from tests.support.infra import private_redis_db

ROUNDS = 3
# Seconds of each run of wrk on the reads alone, in process mode.
READS_SECONDS = 3


def _start_response(_status: str, _headers: Any, _exc: Any = None) -> Any:
    return lambda _data: None


def _ended_children_cpu() -> float:
    """CPU seconds of this process's ended children: wrk's, once a run has ended."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _cpu(master: int) -> float:
    return sum(children_cpu(master).values())


def _voluntary_switches(master: int) -> int:
    """Voluntary context switches of every thread of ``master``'s workers: a thread waiting
    (for the GIL, a socket, a lock) makes one each time."""
    total = 0
    for pid in children_cpu(master):
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                status = (task / "status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("voluntary_ctxt_switches:"):
                    total += int(line.split()[1])
    return total


def _driven(load: WrkRun, masters: dict[str, int]) -> dict[str, float]:
    """One run of ``load``: each server's CPU a request (ms), wrk's, each server's
    voluntary switches a request, and the rate."""
    cpu = {name: _cpu(pid) for name, pid in masters.items()}
    switches = {name: _voluntary_switches(pid) for name, pid in masters.items()}
    wrk = _ended_children_cpu()
    figures = load.run()
    count = figures["requests"] or 1
    found = {name: (_cpu(pid) - cpu[name]) / count * 1000 for name, pid in masters.items()}
    found["wrk"] = (_ended_children_cpu() - wrk) / count * 1000
    for name, pid in masters.items():
        found[f"{name} switches"] = (_voluntary_switches(pid) - switches[name]) / count
    found["req_per_s"] = figures["req_per_s"]
    return found


def _best(
    load: WrkRun, masters: dict[str, int], cost: Callable[[dict[str, float]], float]
) -> dict[str, float]:
    """The run of ``load`` (of ROUNDS) with the least ``cost``."""
    return min((_driven(load, masters) for _ in range(ROUNDS)), key=cost)


def _read_alone(api: Programmes, paths: list[str], seconds: int, delay_ms: float = 0) -> Any:
    env = {"BENCH_AUTH": api.partner_key, "BENCH_PATHS": ",".join(paths)}
    if delay_ms:
        env["BENCH_DELAY_MS"] = f"{delay_ms:.2f}"
    return WrkRun(api.base + "/v1/programmes/x", seconds, env=env)


def _served(
    ctx: Context, api: Programmes, ids: list[str], secret: str, seconds: int, undrawn: bool
) -> None:
    """A programme page under gunicorn, then its read alone: CPU a request of each part."""
    env = {"SETU_API_URL": api.base, SECRET_KEY: secret, INTERNAL_SECRET: api.env[INTERNAL_SECRET]}
    app = "bench.console_undrawn:create_app()" if undrawn else "console.app:create_app()"
    console = ctx.gunicorn("console", app, env)
    cookie = "setu_console=" + partner_cookie(api, secret)
    sample = ids[:200]
    masters = {name: ctx.gunicorn_pids[name] for name in ("console", "programmes-api")}
    api_only = {"programmes-api": masters["programmes-api"]}
    page = WrkRun(
        console + "/console/programmes/x",
        seconds,
        env={
            "BENCH_COOKIE": cookie,
            "BENCH_PATHS": ",".join(f"/console/programmes/{i}" for i in sample),
        },
    )
    reads = [f"/v1/programmes/{i}" for i in sample]
    served = _best(page, masters, lambda f: f["console"] + f["programmes-api"] + f["wrk"])
    alone = _best(
        _read_alone(api, reads, seconds),
        api_only,
        lambda f: f["programmes-api"] + f["wrk"],
    )
    # Each of wrk's connections waits this long between its requests: the page's rate.
    delay = CONNECTIONS / served["req_per_s"] * 1000
    paced = _best(
        _read_alone(api, reads, seconds, delay),
        api_only,
        lambda f: f["programmes-api"],
    )
    page_ms = served["console"] + served["programmes-api"] + served["wrk"]
    read_ms = alone["programmes-api"] + alone["wrk"]
    kind = " (undrawn)" if undrawn else ""
    print(
        f"served programme page{kind}: console workers {served['console']:.2f} ms CPU a page, the "
        f"API's {served['programmes-api']:.2f} ms, wrk {served['wrk']:.2f} ms ({page_ms:.2f} "
        f"ms); voluntary switches a page: the console's threads "
        f"{served['console switches']:.1f}, the API's {served['programmes-api switches']:.1f}; "
        f"{served['req_per_s']:.0f} pages/s"
    )
    print(
        f"served read alone: the API's workers {alone['programmes-api']:.2f} ms CPU a read, "
        f"wrk {alone['wrk']:.2f} ms ({read_ms:.2f} ms); voluntary switches a read "
        f"{alone['programmes-api switches']:.1f}; {alone['req_per_s']:.0f} reads/s; paced at "
        f"the page's rate ({paced['req_per_s']:.0f} reads/s): the API's workers "
        f"{paced['programmes-api']:.2f} ms a read, {paced['programmes-api switches']:.1f} "
        f"switches; implied {read_ms / page_ms:.0%} of the throughput of the read"
    )


def _in_process(ctx: Context, api: Programmes, ids: list[str], secret: str, pages: int) -> None:
    from console.app import create_app
    from console.config import Config

    cookie = partner_cookie(api, secret)
    config = Config(api.base, secret_key=secret, internal_secret=api.env[INTERNAL_SECRET])
    app = create_app(config)
    master = ctx.gunicorn_pids["programmes-api"]
    api_only = {"programmes-api": master}
    programme_reads = [f"/v1/programmes/{i}" for i in ids[:200]]
    for label, paths, alone_paths, reads, count in (
        (
            "programme page",
            [f"/console/programmes/{i}" for i in ids[:200]],
            programme_reads,
            1,
            pages,
        ),
        ("My work", ["/console/"], MY_WORK_LISTS, MY_WORK_READS, max(pages // 3, 1)),
    ):
        environs = [
            EnvironBuilder(path=path, headers=[("Cookie", f"setu_console={cookie}")]).get_environ()
            for path in paths
        ]
        for environ in environs[:10]:
            b"".join(app(dict(environ), _start_response))
        console_ms, api_ms = [], []
        for _ in range(ROUNDS):
            api_before = _cpu(master)
            started = time.process_time()
            for n in range(count):
                b"".join(app(dict(environs[n % len(environs)]), _start_response))
            console_ms.append((time.process_time() - started) / count * 1000)
            api_ms.append((_cpu(master) - api_before) / count * 1000)
        console, under = min(console_ms), min(api_ms)
        alone = _best(
            _read_alone(api, alone_paths, READS_SECONDS),
            api_only,
            lambda f: f["programmes-api"] + f["wrk"],
        )
        # A page's reads alone are counted in units of the reads a page makes, as `make bench`
        # counts them.
        read_ms = (alone["programmes-api"] + alone["wrk"]) * reads
        implied = read_ms / (console + under)
        plural = "s" if reads > 1 else ""
        print(
            f"{label}: console {console:.2f} ms CPU a page, the API {under:.2f} ms ({reads} "
            f"read{plural}); the read{plural} alone at {'their' if reads > 1 else 'its'} "
            f"maximum {read_ms:.2f} ms (the API's and wrk's); implied {implied:.0%} "
            f"of the throughput of the read{plural} it is built on"
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.console_cpu")
    parser.add_argument("pages", type=int, nargs="?", default=600)
    parser.add_argument("--served", type=int, default=0, help="seconds of wrk, three runs")
    parser.add_argument(
        "--undrawn", action="store_true", help="served: the page's drawing a constant page"
    )
    args = parser.parse_args(argv)
    with private_redis_db() as redis_url, ExitStack() as stack:
        ctx = Context(redis_url, Path(tempfile.mkdtemp(prefix="setu-console-cpu-")), stack)
        api = start_programmes(ctx)
        ids = clone_programme(api.database_url, api.confirmed_draft(), 2_000)
        secret = new_secret()
        if args.served:
            _served(ctx, api, ids, secret, args.served, args.undrawn)
        _in_process(ctx, api, ids, secret, args.pages)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
