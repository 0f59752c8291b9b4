"""What `setu up` decides before it starts anything."""

from pathlib import Path

import click
import pytest

from setu.topology import processes
from setu.up import local_settings, private_redis


def test_no_redis_anywhere_stops_with_a_clear_message(tmp_path: Path, monkeypatch):
    monkeypatch.setattr("setu.up.shutil.which", lambda name: None)
    with pytest.raises(click.ClickException, match=r"No Redis answers at .*apt-get install"):
        private_redis("redis://127.0.0.1:6390/0", tmp_path)


def test_a_remote_redis_is_never_replaced_by_a_local_one(tmp_path: Path):
    with pytest.raises(click.ClickException, match="set REDIS_URL"):
        private_redis("redis://redis.internal:6379/0", tmp_path)


def test_private_redis_keeps_its_data_under_the_data_dir(tmp_path: Path, monkeypatch):
    monkeypatch.setattr("setu.up.shutil.which", lambda name: "/usr/bin/redis-server")
    spec = private_redis("redis://127.0.0.1:6390/0", tmp_path)
    assert spec.argv[:5] == ("redis-server", "--bind", "127.0.0.1", "--port", "6390")
    assert "noeviction" in spec.argv and str(tmp_path / "redis") in spec.argv
    # It keeps what it holds in an append-only file, synced every second.
    argv = " ".join(spec.argv)
    assert "--appendonly yes" in argv and "--appendfsync everysec" in argv


def test_smtp_sink_only_when_no_smtp_host(tmp_path: Path, redis_url: str):
    env, extras = local_settings({"SETU_DATA_DIR": str(tmp_path), "REDIS_URL": redis_url})
    assert [e.name for e in extras] == ["smtp-sink"]
    assert (env["SMTP_HOST"], env["SMTP_PORT"]) == ("127.0.0.1", "1025")
    env, extras = local_settings(
        {"SETU_DATA_DIR": str(tmp_path), "REDIS_URL": redis_url, "SMTP_HOST": "mail.example.org"}
    )
    assert extras == []


def test_topology_uses_the_configured_ports():
    names = {p.name: p for p in processes({"GATEWAY_PORT": "9100"})}
    assert "127.0.0.1:9100" in names["gateway"].argv
    assert "127.0.0.1:8001" in names["programmes-api"].argv
    assert set(names) >= {"notifications-worker", "reports-worker", "beat", "programmes-relay"}


def _concurrency(settings: dict[str, str]) -> dict[str, str]:
    workers = (p for p in processes(settings) if p.name.endswith("-worker"))
    return {p.name: p.argv[p.argv.index("--concurrency") + 1] for p in workers}


def test_each_worker_node_has_its_own_pool_size():
    assert _concurrency({}) == {"notifications-worker": "4", "reports-worker": "2"}
    assert _concurrency({"NOTIFICATIONS_WORKER_CONCURRENCY": "8"}) == {
        "notifications-worker": "8",
        "reports-worker": "2",
    }
    assert _concurrency({"REPORTS_WORKER_CONCURRENCY": "1"}) == {
        "notifications-worker": "4",
        "reports-worker": "1",
    }
