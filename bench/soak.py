"""The soak (``python -m bench --soak``): ten minutes at half the maximum rate.

The whole event path runs (programmes API, relay, notifications worker, SMTP sink).
wrk reads programmes at half their measured maximum while a driver submits programmes at
a steady rate (each one an event and an email). Every process's resident memory is sampled
all along; after a one-minute warm-up it must not grow, and no request, event or email may
fail or go missing.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from bench.context import Context, venv
from bench.harness import FAILED, Measurement, Target
from bench.latency import Driver
from bench.mail import notifications_env
from bench.programmes_setup import clone_programme, start_programmes
from bench.sink import start_sink
from bench.workers import celery_worker
from bench.wrk import WrkRun
from setu_contract.messaging import NOTIFICATIONS_QUEUE
from tests.support.infra import postgres_database

SECONDS = 600
WARM_UP = 60
SAMPLE_EVERY = 10
SUBMITS_PER_S = 10.0
GROWTH_LIMIT = 0.10  # more than 10% over the steady period counts as growth


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (gunicorn and Celery fork their workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


class MemorySampler(threading.Thread):
    def __init__(self, ctx: Context, every: float):
        super().__init__(daemon=True)
        self.ctx, self.every = ctx, every
        self.samples: list[tuple[float, dict[str, int]]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        started = time.monotonic()
        while not self.stop.is_set():
            sample = {}
            for process in self.ctx.processes:
                for number, pid in enumerate(descendants(process.popen.pid)):
                    sample[f"{process.name}#{number}"] = rss_kib(pid)
            self.samples.append((time.monotonic() - started, sample))
            self.stop.wait(self.every)


def growth(samples: list[tuple[float, dict[str, int]]], warm_up: float) -> dict[str, float]:
    """Per process: (last RSS - RSS at the end of the warm-up) / RSS at the end of warm-up."""
    steady = [s for t, s in samples if t >= warm_up] or [s for _, s in samples]
    first, last = steady[0], steady[-1]
    return {k: (last.get(k, 0) - v) / v for k, v in first.items() if v and k in last}


def run(ctx: Context) -> Iterator[Measurement]:
    from notifications.store.migrate import upgrade

    seconds = 60 if ctx.quick else SECONDS
    warm_up = 10 if ctx.quick else WARM_UP
    sink = start_sink(ctx, "smtp-sink-soak")
    notifications_url = ctx.stack.enter_context(postgres_database())
    upgrade(notifications_url)
    celery_worker(
        ctx,
        "notifications.worker",
        NOTIFICATIONS_QUEUE,
        notifications_env(ctx, notifications_url, sink.port),
    )
    api = start_programmes(ctx)
    ctx.start("programmes-relay", [venv("setu"), "programmes", "relay"], api.env, ready="started")
    template = api.confirmed_draft()
    ids = clone_programme(api.database_url, template, int(SUBMITS_PER_S * seconds) + 10)
    paths = ",".join(f"/v1/programmes/{i}" for i in random.sample(ids, 200))
    env = {"BENCH_AUTH": api.partner_key, "BENCH_PATHS": paths}
    maximum = WrkRun(api.base + "/v1/programmes/x", 5, env=env).run()["req_per_s"]
    from bench.api import paced

    sampler = MemorySampler(ctx, SAMPLE_EVERY)
    sampler.start()
    load = WrkRun(api.base + "/v1/programmes/x", seconds, env=dict(env))
    driver = Driver(api.base, api.partner_key)
    submitter = threading.Thread(
        target=driver.run, args=(ids[: int(SUBMITS_PER_S * seconds)], SUBMITS_PER_S)
    )
    submitter.start()
    reads = paced(load, maximum / 2)
    submitter.join()
    sink.wait_for(len(driver.answered), timeout=120)
    sampler.stop.set()
    sampler.join()
    yield verdict(reads, driver, sink.count(), growth(sampler.samples, warm_up), seconds, load)


def verdict(reads, driver: Driver, emails: int, grown: dict[str, float], seconds: int, load):
    worst = max(grown, key=grown.get) if grown else "-"
    figures = {
        "seconds": seconds,
        "read_req_per_s": reads["req_per_s"],
        "read_p99_ms": reads["p99_ms"],
        "read_errors": reads["errors"] + reads["non_2xx"],
        "submits": len(driver.answered),
        "submit_failures": len(driver.failures),
        "emails_missing": len(driver.answered) - emails,
        "max_rss_growth": grown.get(worst, 0.0),
    }
    m = Measurement(
        "soak.half_rate",
        f"{seconds}s soak: reads at half their maximum + {SUBMITS_PER_S:g} submits/s",
        figures,
        headline="max_rss_growth",
        commands=[load.command(), f"submits at {SUBMITS_PER_S:g}/s; RSS every {SAMPLE_EVERY}s"],
        targets=[
            Target("read_errors", "<=", 0),
            Target("submit_failures", "<=", 0),
            Target("emails_missing", "<=", 0),
            Target("max_rss_growth", "<=", GROWTH_LIMIT),
        ],
        notes=[
            f"most growth: {worst}; growth per process: "
            + ", ".join(f"{k} {v:+.1%}" for k, v in sorted(grown.items()))
        ],
    )
    if figures["read_errors"] or figures["submit_failures"] or figures["emails_missing"]:
        m.status, m.reason = FAILED, "requests, submits or emails failed or went missing"
    return m
