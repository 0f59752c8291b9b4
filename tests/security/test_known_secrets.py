"""A service that uses a secret refuses to start without it, or with a value anyone could
know (README, *Configuration*). Each is started as `setu up` and compose start it
(cli/setu/topology.py), with every other setting right. Which values are refused
(the code's old default, short ones...) is tests/unit/contract/test_secret_settings.py's.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from setu.topology import processes
from setu_contract.secret_settings import INTERNAL_SECRET, SECRET_KEY
from tests.support.identity import SECRETS
from tests.support.infra import free_port
from tests.support.processes import VENV_BIN

# Which process needs which secret: programmes signs the identity, notifications and
# reports check it; notifications also reads and its worker signs the unsubscribe links.
NEEDS = [
    ("programmes-api", INTERNAL_SECRET),
    ("notifications-api", INTERNAL_SECRET),
    ("notifications-api", SECRET_KEY),
    ("reports-api", INTERNAL_SECRET),
    ("notifications-worker", SECRET_KEY),
]
UNUSABLE = {"missing": "", "compose's old default": "change-me-setu-development-secret"}


def start(process: str, env: dict[str, str], directory: Path) -> tuple[int, str]:
    """Start ``process`` and wait for it to exit: (its exit status, its output). One still
    running after a minute did not refuse; it is killed, with every process it started."""
    settings = {
        **env,
        "SETU_DATA_DIR": str(directory),
        "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",  # nothing is sent anywhere
        "GATEWAY_PORT": str(free_port()),
        "PROGRAMMES_PORT": str(free_port()),
        "NOTIFICATIONS_PORT": str(free_port()),
        "REPORTS_PORT": str(free_port()),
        "WEB_CONCURRENCY": "1",
        "NOTIFICATIONS_WORKER_CONCURRENCY": "1",
    }
    [spec] = [p for p in processes(settings) if p.name == process]
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SETU_")}
    environ["PATH"] = f"{VENV_BIN}{os.pathsep}{environ.get('PATH', '')}"
    started = subprocess.Popen(
        list(spec.argv),
        env={**environ, **settings},
        cwd=directory,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = started.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(started.pid, signal.SIGKILL)
        started.communicate()
        raise AssertionError(f"{process} started and ran for a minute") from None
    return started.returncode, output


@pytest.mark.parametrize("unusable", sorted(UNUSABLE))
@pytest.mark.parametrize(("process", "variable"), NEEDS)
def test_a_service_refuses_to_start_with_an_unusable_secret(
    tmp_path: Path, process: str, variable: str, unusable: str
):
    env = {**SECRETS, variable: UNUSABLE[unusable]}
    status, output = start(process, env, tmp_path)
    assert status != 0
    assert f"{variable} " in output
