"""`setu up`: the whole system as local processes, on the embedded defaults.

Its secrets (SETU_SECRET_KEY, SETU_INTERNAL_SECRET) are made once, at random, under the data
directory (``secrets/``, 0600 files in a 0700 directory) and passed to every process it
starts, unless the environment sets them; the services have no default of their own.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import click
import redis

from setu.supervisor import Supervisor
from setu.topology import DEFAULT_PORTS, ProcessSpec, port, processes
from setu_contract.secret_settings import (
    SECRET_VARIABLES,
    UnsafeSecret,
    checked_secret,
    new_secret,
)

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


def local_secret(data_dir: Path, variable: str) -> str:
    """The value `setu up` keeps for ``variable`` in ``data_dir/secrets/``, made at random
    the first time (the file 0600, its directory 0700)."""
    directory = data_dir / "secrets"
    directory.mkdir(mode=0o700, exist_ok=True)
    directory.chmod(0o700)
    path = directory / variable.lower()
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        path.chmod(0o600)
        value = path.read_text().strip()
    else:
        value = new_secret()
        with os.fdopen(descriptor, "w") as file:
            file.write(value + "\n")
    try:
        return checked_secret(variable, value)
    except UnsafeSecret as exc:
        raise click.ClickException(f"{exc} (or delete {path} for a new one)") from None


def secrets_for(env: dict[str, str], data_dir: Path) -> dict[str, str]:
    """The secrets every process gets: the environment's, checked, or those kept locally."""
    chosen = {}
    for variable in SECRET_VARIABLES:
        if not env.get(variable):
            chosen[variable] = local_secret(data_dir, variable)
            continue
        try:
            chosen[variable] = checked_secret(variable, env[variable])
        except UnsafeSecret as exc:
            raise click.ClickException(str(exc)) from None
    return chosen


def local_settings(environ: dict[str, str]) -> tuple[dict[str, str], list[ProcessSpec]]:
    """The environment every process gets, and the helper processes it needs."""
    env = dict(environ)
    data_dir = Path(env.get("SETU_DATA_DIR") or "var").resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    data_dir.chmod(0o700)  # databases, mail, reports and secrets: this user's only
    env["SETU_DATA_DIR"] = str(data_dir)
    env.update(secrets_for(env, data_dir))
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


def port_taken(number: int, host: str = "127.0.0.1") -> bool:
    """Whether something already listens on ``host:number``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1)
        return probe.connect_ex((host, number)) == 0


def setu_answers(base_url: str) -> bool:
    """Whether a Setu gateway answers at ``base_url`` (its own /healthz)."""
    import requests

    try:
        answer = requests.get(base_url + "/healthz", timeout=2)
        return answer.status_code == 200 and answer.json().get("status") == "ok"
    except (requests.RequestException, ValueError):
        return False


def already_running(env: dict[str, str], base_url: str) -> tuple[int, str] | None:
    """Why this `setu up` must not start, as (exit status, the one line to print): Setu
    already up on these ports (0: nothing to do), or a port held by something else (1)."""
    if setu_answers(base_url):
        return 0, f"Setu is already running on {base_url} (the console: {base_url}/console/)."
    wanted = {variable: port(env, variable) for variable in DEFAULT_PORTS}
    taken = [f"{number} ({variable})" for variable, number in wanted.items() if port_taken(number)]
    if taken:
        return 1, f"Setu cannot start: port {', '.join(taken)} is in use by another program."
    return None


def run(environ: dict[str, str]) -> int:
    gateway = f"http://127.0.0.1:{port(environ, 'GATEWAY_PORT')}"
    refusal = already_running(environ, gateway)
    if refusal is not None:
        status, line = refusal
        click.echo(line, err=status != 0)
        return status
    env, extras = local_settings(environ)
    bin_dir = Path(sys.executable).parent
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    subprocess.run([str(bin_dir / "setu"), "migrate"], env=env, check=True)
    click.echo(f"Setu is starting on {gateway} (data in {env['SETU_DATA_DIR']}); Ctrl-C stops it.")
    click.echo(f"The console, for people: {gateway}/console/")
    click.echo("In another terminal: `.venv/bin/setu bootstrap` prints a secretariat API key.")
    supervisor = Supervisor()
    for spec in (*extras, *processes(env)):
        # Honcho runs a command through /bin/sh; `exec` makes the process the one signalled.
        supervisor.add_process(spec.name, f"exec {spec.command}", env=env)
    supervisor.loop()
    return supervisor.returncode or 0
