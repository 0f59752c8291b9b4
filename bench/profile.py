"""Summarise a py-spy profile (``py-spy record --format raw``): where the time goes.

    py-spy record --pid PID --duration 15 --rate 200 --format raw --output prof.txt
    python -m bench.profile prof.txt [--match programmes,notifications] [--top 30]

Prints each function's inclusive share of the samples (the time spent in it and below),
optionally only for frames whose file matches one of ``--match``.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>.*?)(?::(?P<line>\d+))?\)$")


def load(path: Path) -> list[tuple[list[str], int]]:
    stacks = []
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks.append((stack.split(";"), int(count)))
    return stacks


def short(frame: str) -> str:
    match = FRAME.match(frame)
    if not match:
        return frame
    file = match["file"]
    for marker in ("site-packages/", "/services/", "/lib/python3.11/"):
        if marker in file:
            file = file.split(marker, 1)[1]
            break
    return f"{match['func']} ({file})"


def summarise(stacks: list[tuple[list[str], int]], match: list[str], top: int) -> list[str]:
    total = sum(count for _, count in stacks)
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    for frames, count in stacks:
        names = [short(f) for f in frames]
        for name in set(names):
            if not match or any(m in name for m in match):
                inclusive[name] += count
        own[names[-1]] += count
    lines = [f"{total} samples", "inclusive  function"]
    lines += [f"{n / total:8.1%}  {name}" for name, n in inclusive.most_common(top)]
    lines += ["", "self       function"]
    lines += [f"{n / total:8.1%}  {name}" for name, n in own.most_common(15)]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("profile", type=Path)
    parser.add_argument("--match", default="", help="comma-separated substrings of file names")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    match = [m for m in args.match.split(",") if m]
    print("\n".join(summarise(load(args.profile), match, args.top)))


if __name__ == "__main__":
    main()
