"""`setu events`: one place for the operator to see and re-queue what failed for good."""

from __future__ import annotations

import os
import subprocess

from tests.support.processes import VENV_BIN


def setu(*args: str, data_dir) -> subprocess.CompletedProcess:
    env = {**os.environ, "SETU_DATA_DIR": str(data_dir)}
    for variable in (
        "PROGRAMMES_DATABASE_URL",
        "NOTIFICATIONS_DATABASE_URL",
        "REPORTS_DATABASE_URL",
    ):
        env.pop(variable, None)
    return subprocess.run(
        [str(VENV_BIN / "setu"), *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_dead_letters_of_every_consumer_and_a_clear_refusal(tmp_path):
    assert setu("migrate", data_dir=tmp_path).returncode == 0
    listed = setu("events", "dead-letters", data_dir=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [
        "# notifications",
        "no dead letters",
        "# reports",
        "no dead letters",
    ]
    refused = setu("events", "requeue", "no-such-letter", data_dir=tmp_path)
    assert refused.returncode == 1
    assert "notifications: " in refused.stderr and "reports: " in refused.stderr
