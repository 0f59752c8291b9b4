"""`setu up`: the whole system as local processes, on the embedded defaults."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import click
import redis

from setu.supervisor import Supervisor
from setu.topology import ProcessSpec, port, processes

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def private_redis(url: str, data_dir: Path) -> ProcessSpec:
    """A Redis of our own when nothing answers at REDIS_URL, if redis-server is installed."""
    where = urlparse(url)
    if where.hostname not in LOCAL_HOSTS or not shutil.which("redis-server"):
        raise click.ClickException(
            f"No Redis answers at {url}. Start one (Debian/Ubuntu: "
            "`sudo apt-get install redis-server`; macOS: `brew install redis`), "
            "or set REDIS_URL to a Redis that runs."
        )
    (data_dir / "redis").mkdir(parents=True, exist_ok=True)
    return ProcessSpec(
        "redis",
        (
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(where.port or 6379),
            "--dir",
            str(data_dir / "redis"),
            # Tasks in Redis survive its crash, less the last second's: events would come
            # back anyway (their producers send again what is not confirmed), but the
            # sweepers' and beat's tasks only through this file.
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--maxmemory-policy",
            "noeviction",
            "--save",
            "",
        ),
    )


def local_settings(environ: dict[str, str]) -> tuple[dict[str, str], list[ProcessSpec]]:
    """The environment every process gets, and the helper processes it needs."""
    env = dict(environ)
    data_dir = Path(env.get("SETU_DATA_DIR") or "var").resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    env["SETU_DATA_DIR"] = str(data_dir)
    env.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    env.setdefault("SETU_PUBLIC_URL", f"http://127.0.0.1:{port(env, 'GATEWAY_PORT')}")
    env.setdefault("PYTHONUNBUFFERED", "1")
    extras: list[ProcessSpec] = []
    if not redis_answers(env["REDIS_URL"]):
        extras.append(private_redis(env["REDIS_URL"], data_dir))
    if not env.get("SMTP_HOST"):
        env["SMTP_HOST"] = "127.0.0.1"
        env["SMTP_PORT"] = env.get("SMTP_PORT") or "1025"
        extras.append(
            ProcessSpec(
                "smtp-sink",
                ("setu", "smtp-sink", "--port", env["SMTP_PORT"], "--dir", str(data_dir / "mail")),
            )
        )
    return env, extras


def run(environ: dict[str, str]) -> int:
    env, extras = local_settings(environ)
    bin_dir = Path(sys.executable).parent
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    subprocess.run([str(bin_dir / "setu"), "migrate"], env=env, check=True)
    gateway = f"http://127.0.0.1:{port(env, 'GATEWAY_PORT')}"
    click.echo(f"Setu is starting on {gateway} (data in {env['SETU_DATA_DIR']}); Ctrl-C stops it.")
    click.echo("In another terminal: `.venv/bin/setu bootstrap` prints a secretariat API key.")
    supervisor = Supervisor()
    for spec in (*extras, *processes(env)):
        # Honcho runs a command through /bin/sh; `exec` makes the process the one signalled.
        supervisor.add_process(spec.name, f"exec {spec.command}", env=env)
    supervisor.loop()
    return supervisor.returncode or 0
