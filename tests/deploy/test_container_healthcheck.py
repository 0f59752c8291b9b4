"""deploy/healthcheck.py, the containers' healthcheck, against real servers and dead ports."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.deploy.gateway_rig import StandIn, serve
from tests.deploy.tools import ROOT
from tests.support.infra import free_port
from tests.support.smtp import SmtpServer

SCRIPT = ROOT / "deploy" / "healthcheck.py"


def healthcheck(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        env={"PATH": "/usr/bin:/bin", **(env or {})},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_http_check_passes_on_2xx_and_fails_on_a_dead_port():
    with serve(StandIn("programmes")) as port:
        assert healthcheck("http", f"http://127.0.0.1:{port}/readyz").returncode == 0
    dead = healthcheck("http", f"http://127.0.0.1:{free_port()}/readyz")
    assert dead.returncode == 1 and "unhealthy" in dead.stderr


def test_smtp_check_needs_a_220_greeting(smtp_server: SmtpServer):
    assert healthcheck("smtp", "127.0.0.1", str(smtp_server.port)).returncode == 0
    assert healthcheck("smtp", "127.0.0.1", str(free_port())).returncode == 1


def test_redis_check_pings_redis_url(redis_url: str):
    assert healthcheck("redis", env={"REDIS_URL": redis_url}).returncode == 0
    dead = {"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}
    assert healthcheck("redis", env=dead).returncode == 1


def test_database_check_connects_to_each_named_url(postgres_url: str, tmp_path):
    env = {"A_URL": postgres_url, "B_URL": f"sqlite:///{tmp_path / 'b.db'}"}
    assert healthcheck("database", "A_URL", "B_URL", env=env).returncode == 0
    dead = {**env, "B_URL": f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/x"}
    assert healthcheck("database", "A_URL", "B_URL", env=dead).returncode == 1


def test_dependencies_check_needs_redis_and_the_database(redis_url: str, postgres_url: str):
    env = {"REDIS_URL": redis_url, "DB_URL": postgres_url}
    assert healthcheck("dependencies", "DB_URL", env=env).returncode == 0
    no_redis = {**env, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}
    assert healthcheck("dependencies", "DB_URL", env=no_redis).returncode == 1


@pytest.mark.parametrize("args", [[], ["nonsense"]])
def test_unknown_checks_are_a_usage_error(args: list[str]):
    assert healthcheck(*args).returncode == 2
