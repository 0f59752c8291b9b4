"""`python -m bench`: run the benchmarks, print each figure with its command, write results.

python -m bench                  every default group (about fifteen minutes)
python -m bench --only api,email one or more groups
python -m bench --soak           the default groups and the 10-minute soak
python -m bench --quick          short runs, to check that the benchmarks work (partial.*)
python -m bench --rounds 1       each ceiling and what is compared to it once (default: 3,
                                 the median round reported, every round's ratio noted)
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
from bench.groups import DEFAULT, GROUPS, PAIRS, SOAK
from bench.harness import Measurement, finish, median_round, run_group
from tests.support.infra import private_redis_db

ROUNDS = 3


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", help=f"comma-separated groups: {', '.join(GROUPS)}")
    parser.add_argument("--soak", action="store_true", help="also run the 10-minute soak")
    parser.add_argument("--quick", action="store_true", help="short runs (not for the README)")
    parser.add_argument("--logs", help="directory for process logs (default: a temporary one)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=None,
        help="times each ceiling and what is compared to it run in turn (default 3; 1 if --quick)",
    )
    args = parser.parse_args(argv)
    if args.rounds is None:
        args.rounds = 1 if args.quick else ROUNDS
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    names = args.only.split(",") if args.only else [*DEFAULT, *([SOAK] if args.soak else [])]
    unknown = [n for n in names if n not in GROUPS]
    if unknown:
        parser.error(f"unknown group(s): {', '.join(unknown)}; known: {', '.join(GROUPS)}")
    args.names = names
    return args


def steps(names: list[str]) -> list[list[str]]:
    """The run in steps: a ceiling with what is compared to it (run in rounds), or a group."""
    planned: list[list[str]] = []
    for name in names:
        if planned and PAIRS.get(planned[-1][-1]) == name:
            planned[-1].append(name)
        else:
            planned.append([name])
    return planned


def run_steps(args: argparse.Namespace, redis_url: str, logs: Path) -> list[Measurement]:
    """Every group in turn; a ceiling and what is compared to it in ``args.rounds`` rounds,
    of which the median one is kept."""

    def run(name: str) -> list[Measurement]:
        with ExitStack() as stack:
            ctx = Context(redis_url, logs, stack, soak=args.soak, quick=args.quick)
            ctx.reset_redis()
            return run_group(name, GROUPS[name], ctx)

    results: list[Measurement] = []
    for step in steps(args.names):
        if len(step) == 1:
            results.extend(run(step[0]))
            continue
        rounds = []
        for number in range(args.rounds):
            print(f"\n##### round {number + 1} of {args.rounds}: {' + '.join(step)}", flush=True)
            rounds.append([m for name in step for m in run(name)])
        results.extend(median_round(rounds))
    return results


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
    with private_redis_db() as redis_url:
        results = run_steps(args, redis_url, logs)
    finish(results)
    complete = not (args.only or args.quick)  # the README shows only complete, full-length runs
    stem = "latest" if complete else "partial"
    json_path, md_path = report.write(results, started, ["python", "-m", "bench", *argv], stem)
    if complete:
        report.update_readme(rendered=md_path)
    print(f"\nwrote {json_path} and {md_path} in {time.monotonic() - clock:.0f}s")
    print(md_path.read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
