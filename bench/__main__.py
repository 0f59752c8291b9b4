"""`python -m bench`: run the benchmarks, print each figure with its command, write results.

python -m bench                  every default group (about ten minutes)
python -m bench --only api,email one or more groups
python -m bench --soak           the default groups and the 10-minute soak
python -m bench --quick          short runs, to check that the benchmarks work
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from bench import report
from bench.context import ROOT, Context
from bench.groups import DEFAULT, GROUPS, SOAK
from bench.harness import finish, run_group
from tests.support.infra import private_redis_db


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", help=f"comma-separated groups: {', '.join(GROUPS)}")
    parser.add_argument("--soak", action="store_true", help="also run the 10-minute soak")
    parser.add_argument("--quick", action="store_true", help="short runs (not for the README)")
    parser.add_argument("--logs", help="directory for process logs (default: a temporary one)")
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else [*DEFAULT, *([SOAK] if args.soak else [])]
    unknown = [n for n in names if n not in GROUPS]
    if unknown:
        parser.error(f"unknown group(s): {', '.join(unknown)}; known: {', '.join(GROUPS)}")
    args.names = names
    return args


def _stop(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds every group: child processes stopped, DBs dropped


def main(argv: list[str]) -> int:
    args = parse(argv)
    # Started in the background, a process inherits SIGINT ignored; both signals must stop
    # the run through the normal exits so that no worker or database is left behind.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _stop)
    os.chdir(ROOT)
    started = datetime.now(UTC)
    clock = time.monotonic()
    logs = Path(args.logs or tempfile.mkdtemp(prefix="setu-bench-"))
    logs.mkdir(parents=True, exist_ok=True)
    print(f"process logs: {logs}", flush=True)
    results = []
    with private_redis_db() as redis_url:
        for name in args.names:
            with ExitStack() as stack:
                ctx = Context(redis_url, logs, stack, soak=args.soak, quick=args.quick)
                ctx.reset_redis()
                results.extend(run_group(name, GROUPS[name], ctx))
    finish(results)
    stem = "partial" if args.only else "latest"  # the README shows only complete runs
    json_path, md_path = report.write(results, started, ["python", "-m", "bench", *argv], stem)
    print(f"\nwrote {json_path} and {md_path} in {time.monotonic() - clock:.0f}s")
    print(md_path.read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
