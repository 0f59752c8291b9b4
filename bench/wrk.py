"""Drive an HTTP endpoint with wrk (a separate process) and read its figures as JSON."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.context import ROOT

SCRIPTS = Path(__file__).resolve().parent / "lua"
MARKER = "BENCH_JSON "
THREADS = 1  # two cores: one for wrk, the rest for the server under test
CONNECTIONS = 16


class LoadGeneratorMissing(RuntimeError):
    pass


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    subprocess.run(["bash", str(ROOT / "bench" / "install.sh")], check=True)
    path = shutil.which("wrk")
    if not path:
        raise LoadGeneratorMissing("wrk is not installed and bench/install.sh could not add it")
    return path


@dataclass
class WrkRun:
    url: str
    seconds: int = 10
    script: str = "get.lua"
    connections: int = CONNECTIONS
    env: dict[str, str] | None = None  # read by the Lua script (os.getenv)

    def argv(self) -> list[str]:
        return [
            "wrk",
            f"-t{THREADS}",
            f"-c{self.connections}",
            f"-d{self.seconds}s",
            "--timeout",
            "5s",
            "-s",
            str(SCRIPTS / self.script),
            self.url,
        ]

    def command(self) -> str:
        prefix = " ".join(f"{k}='{_shown(k, v)}'" for k, v in (self.env or {}).items())
        args = [a.replace(str(ROOT) + "/", "") for a in self.argv()]
        return f"{prefix} {' '.join(args)}".strip()

    def start(self) -> subprocess.Popen:
        """Start wrk in the background; ``collect`` reads its figures when it ends."""
        ensure_wrk()
        return subprocess.Popen(
            self.argv(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **(self.env or {})},
        )

    def collect(self, process: subprocess.Popen) -> dict[str, float]:
        stdout, stderr = process.communicate(timeout=self.seconds + 60)
        for line in stdout.splitlines():
            if line.startswith(MARKER):
                return figures(json.loads(line[len(MARKER) :]))
        raise RuntimeError(f"wrk gave no figures (exit {process.returncode}): {stderr[-500:]}")

    def run(self) -> dict[str, float]:
        return self.collect(self.start())


def _shown(name: str, value: str) -> str:
    """Environment values as printed: no secrets, no two hundred paths."""
    if name == "BENCH_AUTH":
        return "<API key>"
    if name == "BENCH_COOKIE":
        return "<the console's session cookie>"
    if name in ("BENCH_PATHS", "BENCH_IDS") and len(value) > 80:
        paths = value.split(",")
        return f"{paths[0]},... ({len(paths)} in all)"
    if name == "BENCH_BODY" and len(value) > 80:
        return f"{value[:60]}... ({len(value)} bytes, see bench/programmes_setup.py)"
    return value


def figures(raw: dict[str, float]) -> dict[str, float]:
    seconds = raw["duration_us"] / 1e6
    return {
        "req_per_s": raw["requests"] / seconds,
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "requests": raw["requests"],
        "errors": raw["errors"],
        "non_2xx": raw["status_errors"],
    }
