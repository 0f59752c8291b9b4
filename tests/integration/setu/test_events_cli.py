"""`setu events`: one place for the operator to see and re-queue what failed for good, to see
what each consumer has not confirmed and send it again, and to replay the log safely."""

from __future__ import annotations

import os
import subprocess

from tests.support.processes import VENV_BIN


def setu(*args: str, data_dir, **settings: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SETU_DATA_DIR": str(data_dir), **settings}
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


def test_status_redeliver_and_replay_say_what_they_do(tmp_path, redis_url):
    assert setu("migrate", data_dir=tmp_path).returncode == 0
    status = setu("events", "status", data_dir=tmp_path, REDIS_URL=redis_url)
    assert status.returncode == 0, status.stderr
    assert status.stdout.splitlines() == [
        "programmes -> notifications: 0 unconfirmed; 0 dead-lettered",
        "programmes -> reports: 0 unconfirmed; 0 dead-lettered",
        "reports -> notifications: 0 unconfirmed; 0 dead-lettered",
    ]

    broker = {"REDIS_URL": redis_url}
    sent = setu("events", "redeliver", "--to", "notifications", data_dir=tmp_path, **broker)
    assert sent.returncode == 0, sent.stderr
    assert sent.stdout.splitlines() == [
        "programmes: sent 0 unconfirmed events to notifications again",
        "reports: sent 0 unconfirmed events to notifications again",
    ]
    refused = setu("events", "redeliver", "--to", "nobody", data_dir=tmp_path, **broker)
    assert refused.returncode == 2 and "not one of notifications, reports" in refused.stderr

    replayed = setu("events", "replay", "--to", "notifications", data_dir=tmp_path)
    assert replayed.returncode == 0, replayed.stderr
    assert "no event was marked processed" in replayed.stdout
    marked = setu(
        "events", "replay", "--to", "notifications", "--mark-processed", data_dir=tmp_path
    )
    assert marked.returncode == 0, marked.stderr
    assert "marked 0 events processed" in marked.stdout
    wrong = setu("events", "replay", "--to", "reports", "--mark-processed", data_dir=tmp_path)
    assert wrong.returncode == 2 and "for --to notifications only" in wrong.stderr
