"""What `setu up` decides before it starts anything."""

import stat
from pathlib import Path

import click
import pytest

from setu.topology import processes
from setu.up import local_settings, private_redis
from setu_contract.secret_settings import SECRET_VARIABLES, checked_secret, new_secret


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


def test_the_gateway_serves_metrics_on_a_listener_of_its_own_only_when_asked():
    [alone] = [p for p in processes({}) if p.name == "gateway"]
    assert alone.argv.count("--bind") == 1 and alone.metrics_port({}) is None
    settings = {"GATEWAY_PORT": "9000", "GATEWAY_METRICS_PORT": "9100"}
    [both] = [p for p in processes(settings) if p.name == "gateway"]
    binds = [both.argv[i + 1] for i, word in enumerate(both.argv) if word == "--bind"]
    assert binds == ["127.0.0.1:9000", "127.0.0.1:9100"]
    assert both.metrics_port(settings) == 9100


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


def test_secrets_are_made_once_under_the_data_dir_for_its_user_only(tmp_path: Path, redis_url):
    settings = {"SETU_DATA_DIR": str(tmp_path), "REDIS_URL": redis_url}
    first, _ = local_settings(settings)
    again, _ = local_settings(settings)
    for variable in SECRET_VARIABLES:
        assert checked_secret(variable, first[variable]) == again[variable]
        kept = tmp_path / "secrets" / variable.lower()
        assert kept.read_text().strip() == first[variable]
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert first["SETU_SECRET_KEY"] != first["SETU_INTERNAL_SECRET"]
    assert stat.S_IMODE((tmp_path / "secrets").stat().st_mode) == 0o700
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o700


def test_a_kept_secret_left_readable_by_others_is_made_private_again(tmp_path: Path, redis_url):
    settings = {"SETU_DATA_DIR": str(tmp_path), "REDIS_URL": redis_url}
    made, _ = local_settings(settings)
    kept = tmp_path / "secrets" / "setu_internal_secret"
    kept.chmod(0o644)
    again, _ = local_settings(settings)
    assert again["SETU_INTERNAL_SECRET"] == made["SETU_INTERNAL_SECRET"]
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600


def test_secrets_the_environment_sets_are_used_and_checked(tmp_path: Path, redis_url):
    mine = {variable: new_secret() for variable in SECRET_VARIABLES}
    env, _ = local_settings({"SETU_DATA_DIR": str(tmp_path), "REDIS_URL": redis_url, **mine})
    assert {variable: env[variable] for variable in SECRET_VARIABLES} == mine
    assert not (tmp_path / "secrets").exists()
    known = {**mine, "SETU_SECRET_KEY": "change-me-setu-development-secret"}
    with pytest.raises(click.ClickException, match="SETU_SECRET_KEY is a value published"):
        local_settings({"SETU_DATA_DIR": str(tmp_path), "REDIS_URL": redis_url, **known})


def _ports(**given: int) -> dict[str, str]:
    """Every port of the topology free, but those given."""
    from setu.topology import DEFAULT_PORTS
    from tests.support.infra import free_port

    return {variable: str(given.get(variable) or free_port()) for variable in DEFAULT_PORTS}


def test_a_second_setu_up_says_setu_is_running_in_one_line_and_does_nothing(capsys):
    import threading
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from setu.up import run

    def healthz(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"status": "ok"}']

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, healthz, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = _ports(GATEWAY_PORT=server.server_port)
        assert run(env) == 0
    finally:
        server.shutdown()
    out, err = capsys.readouterr()
    lines = (out + err).strip().splitlines()
    assert lines == [
        f"Setu is already running on http://127.0.0.1:{server.server_port} "
        f"(the console: http://127.0.0.1:{server.server_port}/console/)."
    ]


def test_a_port_held_by_another_program_is_named_and_setu_up_exits_1(capsys):
    import socket

    from setu.up import run

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        env = _ports(PROGRAMMES_PORT=holder.getsockname()[1])
        assert run(env) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.strip().splitlines() == [
        f"Setu cannot start: port {env['PROGRAMMES_PORT']} (PROGRAMMES_PORT) is in use by "
        "another program."
    ]
