"""`python -m bench.console_cpu`: the console's own CPU per page, in process, next to the
API's CPU for the reads under it: a measure a busy machine disturbs little.

`make bench` compares throughputs, which on a shared machine swing with the other work on
it (its `load` column). This counts CPU seconds instead: the console's create_app is called
in this process (the production settings) and each page is asked of its WSGI app directly,
against a programmes API under gunicorn on PostgreSQL as `bench/console.py` starts it; the
API's CPU is read from its workers in /proc. ``implied`` is the ratio of `make bench` a
machine with nothing else on it would show if both were CPU-bound on the same cores:
the CPU of the reads a page is built on over the page's (its reads' and the console's),
as `make bench` compares a My work with its list reads as one. Each figure is the best of
three runs.

    python -m bench.console_cpu [pages]
"""

from __future__ import annotations

import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from werkzeug.test import EnvironBuilder

from bench.console import MY_WORK_READS, partner_cookie
from bench.context import Context, children_cpu
from bench.programmes_setup import clone_programme, start_programmes
from setu_contract.secret_settings import INTERNAL_SECRET, new_secret
from tests.support.infra import private_redis_db

ROUNDS = 3


def _start_response(_status: str, _headers: Any, _exc: Any = None) -> Any:
    return lambda _data: None


def main(argv: list[str]) -> int:
    from console.app import create_app
    from console.config import Config

    pages = int(argv[0]) if argv else 600
    with private_redis_db() as redis_url, ExitStack() as stack:
        ctx = Context(redis_url, Path(tempfile.mkdtemp(prefix="setu-console-cpu-")), stack)
        api = start_programmes(ctx)
        ids = clone_programme(api.database_url, api.confirmed_draft(), 2_000)
        secret = new_secret()
        cookie = partner_cookie(api, secret)
        config = Config(api.base, secret_key=secret, internal_secret=api.env[INTERNAL_SECRET])
        app = create_app(config)
        master = ctx.gunicorn_pids["programmes-api"]
        for label, paths, reads, count in (
            ("programme page", [f"/console/programmes/{i}" for i in ids[:200]], 1, pages),
            ("My work", ["/console/"], MY_WORK_READS, max(pages // 3, 1)),
        ):
            environs = [
                EnvironBuilder(
                    path=path, headers={"Cookie": f"setu_console={cookie}"}
                ).get_environ()
                for path in paths
            ]
            for environ in environs[:10]:
                b"".join(app(dict(environ), _start_response))
            console_ms, api_ms = [], []
            for _ in range(ROUNDS):
                api_before = sum(children_cpu(master).values())
                started = time.process_time()
                for n in range(count):
                    b"".join(app(dict(environs[n % len(environs)]), _start_response))
                console_ms.append((time.process_time() - started) / count * 1000)
                api_ms.append((sum(children_cpu(master).values()) - api_before) / count * 1000)
            console, under = min(console_ms), min(api_ms)
            implied = under / (under + console)
            print(
                f"{label}: console {console:.2f} ms CPU a page, the API {under:.2f} ms "
                f"({reads} read{'s' if reads > 1 else ''}); implied {implied:.0%} of the "
                f"throughput of the read{'s' if reads > 1 else ''} it is built on"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
