"""Start the timestamping SMTP sink (bench.smtp_sink) as a process and read what arrived."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.context import WATCH_SECONDS, Context
from tests.support.infra import free_port, wait_until


@dataclass
class Sink:
    port: int
    path: Path
    command: str

    def count(self) -> int:
        with self.path.open("rb") as handle:
            return sum(1 for _ in handle)

    def arrivals(self) -> list[dict]:
        with self.path.open() as handle:
            return [json.loads(line) for line in handle if line.strip()]

    def wait_for(self, count: int, timeout: float) -> None:
        wait_until(
            lambda: self.count() >= count,
            timeout,
            WATCH_SECONDS,
            message=f"{count} emails at the sink",
        )


def start_sink(ctx: Context, name: str = "smtp-sink") -> Sink:
    port = free_port()
    path = ctx.logs / f"{name}.jsonl"
    path.write_text("")
    argv = [sys.executable, "-m", "bench.smtp_sink", "--port", str(port), "--out", str(path)]
    ctx.start(name, argv, ready="listening")
    return Sink(port, path, f"python -m bench.smtp_sink --port {port} --out {path.name}")
