"""`python -m bench.create_cpu`: what one ``POST /v1/applications`` costs, in process:
measures a busy machine disturbs little (CPU seconds) or not at all (instructions).

The API is set up as `bench/api.py` sets it up (PostgreSQL, 100,000 programmes, a partner's
key); its create_app is called here with the production settings and applications are
posted to its WSGI app, spread over 200 programmes. Printed: the API's CPU a request (best
of three runs), PostgreSQL's (its server processes, from /proc), statements and round trips.

    python -m bench.create_cpu [requests] [--parts] [--profile]
    python -m bench.create_cpu --hold state.json     # set up, write how to reach it, wait
    python -m bench.create_cpu [requests] --against state.json [--instructions]

``--against`` measures against what a ``--hold`` set up, so that two checkouts of the code
are measured on one database; ``--instructions`` counts a request's instructions under
cachegrind (a run of ``requests`` less one of a fifth as many: start-up and warm-up cancel
out); ``--served SECONDS`` drives gunicorn with wrk and reads its workers' CPU a request.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from werkzeug.test import EnvironBuilder

from bench.context import Context
from bench.programmes_setup import clone_programme, start_programmes
from tests.support.infra import private_redis_db

ROUNDS = 3
PROGRAMMES = 100_000
SPREAD = 200
WARM_UP = 200
TICK = os.sysconf("SC_CLK_TCK")

# What ``--parts`` times (inclusive CPU): module, then the attribute's path in it.
PARTS = (
    "programmes.api.identity:identify",
    "programmes.api.query_args:QueryArgumentsParser.parse",
    "programmes.services.applications:create_application",
    "programmes.services.applications:_check",
    "programmes.services.applications:next_number",
    "programmes.services.applications:emit",
    "programmes.services.events:build_event",
    "programmes.services.events:append",
    "sqlalchemy.orm:Session.commit",
    "setu_contract.observability:HttpInstrumentation.__call__",
)


def _stat(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after the command's name (the state is the first)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _server_cpu(pids: set[int]) -> float:
    """CPU seconds of the processes ``pids`` (PostgreSQL's server processes)."""
    total = 0.0
    for pid in pids:
        try:
            fields = _stat(pid)
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def _count_round_trips(counter: Counter[str]) -> None:
    """Count Redis commands sent, and PostgreSQL's round trips: each statement, the BEGIN
    the driver sends before the first of a transaction, each COMMIT and ROLLBACK (through
    SQLAlchemy or not: on any of the driver's connections)."""
    import psycopg
    from psycopg.pq import TransactionStatus
    from redis.connection import AbstractConnection

    sent = AbstractConnection.send_packed_command

    def counted(self: Any, command: Any, check_health: bool = True) -> None:
        counter["redis"] += 1
        return sent(self, command, check_health)

    AbstractConnection.send_packed_command = counted  # type: ignore[method-assign]
    execute = psycopg.Cursor.execute

    def executed(self: Any, *args: Any, **kwargs: Any) -> Any:
        connection = self.connection
        idle = connection.info.transaction_status == TransactionStatus.IDLE
        counter["postgresql"] += 2 if idle and not connection.autocommit else 1
        return execute(self, *args, **kwargs)

    psycopg.Cursor.execute = executed  # type: ignore[method-assign]
    for name in ("commit", "rollback"):
        ended = getattr(psycopg.Connection, name)

        def ending(self: Any, _ended: Any = ended) -> None:
            if self.info.transaction_status != TransactionStatus.IDLE:
                counter["postgresql"] += 1
            _ended(self)

        setattr(psycopg.Connection, name, ending)


def _timed(parts: Counter[str], chosen: tuple[str, ...]) -> None:
    """Wrap each of ``chosen`` to add its CPU seconds (inclusive) to ``parts``."""
    import importlib

    for part in chosen:
        module, path = part.split(":")
        *owner_path, name = path.split(".")
        owner: Any = importlib.import_module(module)
        for step in owner_path:
            owner = getattr(owner, step)
        original = getattr(owner, name)

        def timed(*args: Any, _original: Any = original, _part: str = part, **kw: Any) -> Any:
            started = time.process_time()
            try:
                return _original(*args, **kw)
            finally:
                parts[_part] += time.process_time() - started

        setattr(owner, name, timed)


def _set_up(ctx: Context) -> dict[str, Any]:
    """The API, its programmes and a partner's application body: what a run needs."""
    from bench.api import application_body

    api = start_programmes(ctx)
    ids = clone_programme(api.database_url, api.confirmed_draft(), PROGRAMMES)
    return {
        "env": api.env,
        "base": api.base,
        "database_url": api.database_url,
        "key": api.partner_key,
        "body": application_body(api, ids[0]),
        "spread": random.sample(ids, SPREAD),
        "gunicorn": ctx.gunicorn_pids["programmes-api"],
    }


def _poster(app: Any, state: dict[str, Any]) -> Callable[..., None]:
    """``post(numbers, around)``: one application for each number, the requests built
    beforehand and posted inside the context manager ``around`` (a profiler, say)."""
    body, spread, seed = state["body"], state["spread"], time.time_ns()
    headers = {"Authorization": f"Bearer {state['key']}", "Content-Type": "application/json"}
    answered: list[str] = []

    def start_response(status: str, _headers: Any, _exc: Any = None) -> Any:
        answered.append(status)
        return lambda _data: None

    def environ(n: int) -> dict[str, Any]:
        body["programme_id"] = spread[n % SPREAD]
        body["applicant"]["email"] = f"applicant-{seed}-{n}@bench.example"
        data = json.dumps(body)
        return EnvironBuilder(
            path="/v1/applications", method="POST", data=data, headers=headers
        ).get_environ()

    def post(numbers: range, around: Any = None) -> None:
        environs = [environ(n) for n in numbers]
        started, wall = time.process_time(), time.perf_counter()
        with around or nullcontext():
            for request in environs:
                b"".join(app(request, start_response))
        post.seconds = time.process_time() - started  # type: ignore[attr-defined]
        post.wall = time.perf_counter() - wall  # type: ignore[attr-defined]
        bad = [status for status in answered if not status.startswith("201")]
        answered.clear()
        if bad:
            raise RuntimeError(f"{len(bad)} applications answered {bad[0]}")

    return post


def _in_process(state: dict[str, Any], args: argparse.Namespace) -> None:
    from programmes.app import create_app
    from programmes.config import Config

    env = {**os.environ, **state["env"], "LOG_LEVEL": args.log_level}
    app = create_app(Config.from_env(env))
    engine = app.extensions["programmes.engine"]
    counts: Counter[str] = Counter()
    shown: list[str] = []

    def _statement(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        counts["sql"] += 1
        shown.append(" ".join(statement.split())[:150])

    # A create of one statement runs on an engine of its own (programmes/app.py).
    for used in {engine, app.extensions["programmes.one_write_engine"]}:
        event.listen(used, "before_cursor_execute", _statement)
    _count_round_trips(counts)
    parts: Counter[str] = Counter()
    if args.parts or args.part:
        _timed(parts, (*(PARTS if args.parts else ()), *args.part))
    post = _poster(app, state)
    post(range(WARM_UP))
    done = WARM_UP
    if args.warm_only:
        post(range(done, done + args.requests))
        return
    with engine.connect() as conn:
        backends = set(
            conn.execute(
                text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
            ).scalars()
        )
    api_ms, db_ms, wall_ms = [], [], []
    for _ in range(ROUNDS):
        counts.clear()
        parts.clear()
        server = _server_cpu(backends)
        post(range(done, done + args.requests))
        api_ms.append(post.seconds / args.requests * 1000)  # type: ignore[attr-defined]
        wall_ms.append(post.wall / args.requests * 1000)  # type: ignore[attr-defined]
        db_ms.append((_server_cpu(backends) - server) / args.requests * 1000)
        done += args.requests
    print(
        f"POST /v1/applications in process: the API {min(api_ms):.2f} ms CPU a request "
        f"(runs {', '.join(f'{m:.2f}' for m in api_ms)}), PostgreSQL {min(db_ms):.2f} ms, "
        f"{min(wall_ms):.2f} ms from request to answer; "
        f"{counts['sql'] / args.requests:.1f} statements through SQLAlchemy, "
        f"{counts['postgresql'] / args.requests:.1f} PostgreSQL round trips and "
        f"{counts['redis'] / args.requests:.1f} Redis commands a request"
    )
    for part, seconds in parts.items():
        print(f"{seconds / args.requests * 1000:7.3f} ms  {part}")
    if args.statements:
        shown.clear()
        post(range(done, done + 1))
        print("\n".join(shown))
    if args.profile:
        _profile(post, range(done + 1, done + 1 + args.requests))


def _profile(post: Callable[..., None], numbers: range) -> None:
    """cProfile counting CPU time, not wall time (the waits on the databases are not CPU)."""
    import cProfile
    import pstats

    profiler = cProfile.Profile(time.process_time)
    post(numbers, profiler)
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(80)
    stats.sort_stats("tottime").print_stats(40)


def _instructions(state_file: str, requests: int, log_level: str) -> None:
    """Instructions per request under cachegrind: a run of ``requests`` less one of a fifth
    as many (both after the same warm-up), over the requests between them."""
    few = max(requests // 5, 1)
    counted = []
    for count in (few, requests):
        out = Path(tempfile.mkdtemp(prefix="setu-cachegrind-")) / "out"
        argv = [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            f"--cachegrind-out-file={out}",
            sys.executable,
            "-m",
            "bench.create_cpu",
            str(count),
            "--against",
            state_file,
            "--warm-only",
            "--log-level",
            log_level,
        ]
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
        if done.returncode != 0 or not found:
            raise RuntimeError(f"cachegrind run failed: {done.stderr[-1500:]}")
        counted.append(int(found.group(1).replace(",", "")))
    per_request = (counted[1] - counted[0]) / (requests - few)
    print(
        f"POST /v1/applications in process: {per_request / 1e6:.2f}M instructions a request "
        f"(cachegrind, {requests} against {few} requests after {WARM_UP} to warm up)"
    )


def _served(ctx_pid: int, state: dict[str, Any], seconds: int) -> None:
    """The same POSTs under gunicorn (production settings) from wrk: its workers' CPU and
    PostgreSQL's per request, read from /proc (best of three runs)."""
    import psycopg

    from bench.context import children_cpu
    from bench.seed import plain_url
    from bench.wrk import WrkRun

    body = state["body"]
    template = {**body, "programme_id": "{id}"}
    template["applicant"] = {**body["applicant"], "email": "applicant-{n}@bench.example"}
    env = {
        "BENCH_AUTH": state["key"],
        "BENCH_BODY": json.dumps(template),
        "BENCH_IDS": ",".join(state["spread"]),
    }
    load = WrkRun(state["base"] + "/v1/applications", seconds, "post.lua", env=env)

    def backends() -> tuple[dict[int, float], float, int]:
        """CPU of each server process of the database, what the postmaster's children that
        have ended used (on every database), and the sessions opened on this one so far."""
        with psycopg.connect(plain_url(state["database_url"]), autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            ).fetchall()
            opened, mine = conn.execute(
                "SELECT sessions, pg_backend_pid() FROM pg_stat_database "
                "WHERE datname = current_database()"
            ).fetchone() or (0, 0)
            ended = _ended_children_cpu(mine)
        return {pid: _server_cpu({pid}) for (pid,) in rows}, ended, opened

    found = []
    for _ in range(ROUNDS):
        (servers, ended, opened), workers = backends(), sum(children_cpu(ctx_pid).values())
        figures = load.run()
        requests = figures["requests"]
        used = sum(children_cpu(ctx_pid).values()) - workers
        now, ended_now, opened_now = backends()
        server = sum(cpu - servers.get(pid, 0.0) for pid, cpu in now.items())
        server += ended_now - ended
        per_request = (used / requests * 1000, server / requests * 1000, figures["req_per_s"])
        opened_a_request = (opened_now - opened - 1) / requests  # less this look's own
        found.append((*per_request, opened_a_request, figures["p50_ms"], figures["p99_ms"]))
    print(
        f"POST /v1/applications under gunicorn: the workers {min(found)[0]:.2f} ms CPU a "
        f"request (runs {', '.join(f'{w:.2f}' for w, *_ in found)}), PostgreSQL "
        f"{min(f[1] for f in found):.2f} ms (with every ended server process's, any database); "
        f"{', '.join(f'{f[2]:.0f}' for f in found)} req/s; p50 "
        f"{', '.join(f'{f[4]:.1f}' for f in found)} ms, p99 "
        f"{', '.join(f'{f[5]:.1f}' for f in found)} ms; "
        f"{min(f[3] for f in found):.3f} connections opened a request"
    )


def _ended_children_cpu(backend: int) -> float:
    """CPU seconds of the ended children of the postmaster (the parent of ``backend``)."""
    parent = _stat(int(_stat(backend)[1]))
    return (int(parent[13]) + int(parent[14])) / TICK


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("requests", type=int, nargs="?", default=600)
    parser.add_argument("--hold", help="set up, write the state to this file and wait")
    parser.add_argument("--against", help="measure against the state a --hold wrote")
    parser.add_argument("--instructions", action="store_true", help="count under cachegrind")
    parser.add_argument("--warm-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--served", type=int, default=0, help="seconds of wrk, three runs")
    parser.add_argument("--log-level", default="WARNING", help="INFO writes access lines")
    parser.add_argument("--statements", action="store_true", help="print one request's SQL")
    parser.add_argument("--parts", action="store_true", help="CPU of each of PARTS")
    parser.add_argument("--part", action="append", default=[], help="and of module:attribute")
    parser.add_argument("--profile", action="store_true", help="cProfile, in CPU time")
    args = parser.parse_args()
    if args.against:
        state = json.loads(Path(args.against).read_text())
        if args.instructions:
            _instructions(args.against, args.requests, args.log_level)
        elif args.requests:
            _in_process(state, args)
        if args.served:
            _served(state["gunicorn"], state, args.served)
        return 0
    with private_redis_db() as redis_url, ExitStack() as stack:
        ctx = Context(redis_url, Path(tempfile.mkdtemp(prefix="setu-create-cpu-")), stack)
        state = _set_up(ctx)
        if args.hold:
            Path(args.hold).write_text(json.dumps(state))
            print(f"set up; measure with --against {args.hold}; stop with SIGTERM", flush=True)
            signal.signal(signal.SIGTERM, lambda *_: None)
            signal.pause()
            return 0
        _in_process(state, args)
        if args.served:
            _served(state["gunicorn"], state, args.served)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
