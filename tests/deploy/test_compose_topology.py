"""docker-compose.yml runs what `setu up` runs (issue 7), checked against the code itself.

- the long-running Setu services are exactly cli/setu/topology.py's processes, each with
  the same command, computed from that service's own compose environment;
- every queue a worker listens to is one setu_contract.messaging routes to, and every such
  queue has a worker;
- every environment variable the code reads is set for every container of the Setu image.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from setu.topology import WORKER_CONCURRENCY, processes
from setu_contract.messaging import QUEUES
from tests.deploy.compose_model import environment, load, runs_setu_image
from tests.deploy.tools import ROOT

COMPOSE = load()
SERVICES = COMPOSE["services"]

# Setu-image services that are not topology processes, and why.
NOT_IN_TOPOLOGY = {
    "migrate": "the one-shot schema step (`setu migrate`) everything waits for",
    "mailcatcher": "the development SMTP catcher (`setu smtp-sink`, as `setu up` starts)",
    "mail-web": "the catcher's mail over HTTP, read-only",
    "flower": "Celery monitoring, profile `ops` only",
}
# Not the Setu image, and not topology processes either (profile `ops` only).
OPS = {"flower", "prometheus"}

# Read by code but deliberately not a deployment setting.
NOT_DEPLOYMENT_SETTINGS = {
    "PATH": "setu up puts its virtualenv first on the PATH of its children; the image sets PATH",
}

# Variables the code reads under a computed name (setu.gateway: f"{SERVICE}_URL"; the metrics
# port of each worker and relay: setu_contract.metrics.metrics_port_variable; each worker
# node's pool size: setu.topology.WORKER_CONCURRENCY).
COMPUTED_NAMES = (
    {"PROGRAMMES_URL", "NOTIFICATIONS_URL", "REPORTS_URL"}
    | {p.metrics_variable for p in processes({}) if p.metrics_variable}
    | {variable for variable, _ in WORKER_CONCURRENCY.values()}
)

# The README's configuration table and the ports of docs/architecture.md.
DOCUMENTED = {
    "REDIS_URL",
    "PROGRAMMES_DATABASE_URL",
    "NOTIFICATIONS_DATABASE_URL",
    "REPORTS_DATABASE_URL",
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_USERNAME",
    "SMTP_PASSWORD",
    "SMTP_STARTTLS",
    "MAIL_FROM",
    "SECRETARIAT_EMAIL",
    "SETU_PUBLIC_URL",
    "SETU_DATA_DIR",
    "SETU_RATE_LIMIT",
    "BIND_HOST",
    "GATEWAY_PORT",
    "PROGRAMMES_PORT",
    "NOTIFICATIONS_PORT",
    "REPORTS_PORT",
    "WEBHOOK_ALLOW_PRIVATE",
    "SETU_SECRET_KEY",
    "SETU_INTERNAL_SECRET",
}

# os.environ["X"], os.environ.get("X"), os.getenv("X"), the Config.from_env idiom
# `env.get("X")` / `settings.get("X")` over a mapping that is the environment, and a parsing
# helper handed that mapping: `_number(env, "X", ...)`.
READ_PATTERN = re.compile(
    r"""(?:(?:environ|getenv|\benv|\bsettings|\benvironment)\s*(?:\.get\(|\[|\()|\(\s*env\s*,)"""
    r"""\s*["']([A-Z][A-Z0-9_]*)["']"""
)


def setu_services() -> dict[str, dict]:
    return {name: spec for name, spec in SERVICES.items() if runs_setu_image(spec)}


def variables_read_by_code() -> set[str]:
    found: set[str] = set()
    for directory in (ROOT / "services", ROOT / "cli"):
        for path in directory.rglob("*.py"):
            if "migrations" in path.parts and "versions" in path.parts:
                continue
            found |= set(READ_PATTERN.findall(path.read_text(errors="replace")))
    return found


def test_compose_runs_each_topology_process_with_its_command():
    names = set()
    for name, spec in setu_services().items():
        if name in NOT_IN_TOPOLOGY:
            continue
        expected = {p.name: p.argv for p in processes(environment(spec))}
        assert name in expected, f"compose service {name} is not a topology process"
        assert tuple(spec["command"]) == expected[name], name
        names.add(name)
    topology = {p.name for p in processes({})}
    assert names == topology, f"missing from compose: {sorted(topology - names)}"


def test_compose_binds_every_api_on_all_interfaces_inside_the_network():
    # The one deliberate difference from `setu up`: BIND_HOST is 0.0.0.0 in containers.
    for name, spec in setu_services().items():
        assert environment(spec)["BIND_HOST"] == "0.0.0.0", name


def test_workers_listen_only_to_queues_the_contract_routes_to():
    listened = {}
    for name, spec in SERVICES.items():
        command = spec.get("command") or []
        if "worker" in command and "celery" in command[:1]:
            queues = command[command.index("--queues") + 1].split(",")
            listened[name] = queues
            assert set(queues) <= set(QUEUES), f"{name} listens to {queues}"
    assert {q for queues in listened.values() for q in queues} == set(QUEUES)


def test_the_code_reads_variables_the_scan_can_see():
    # Guard the guard: if the pattern stopped matching, the next test would pass vacuously.
    assert {"REDIS_URL", "SETU_DATA_DIR"} <= variables_read_by_code()


@pytest.mark.parametrize("service", sorted(setu_services()))
def test_every_variable_the_code_reads_is_set_in_compose(service: str):
    wanted = (variables_read_by_code() | DOCUMENTED | COMPUTED_NAMES) - set(NOT_DEPLOYMENT_SETTINGS)
    missing = wanted - set(environment(SERVICES[service]))
    assert not missing, f"{service} lacks {sorted(missing)}"


def test_only_environment_configures_setu_containers():
    # No env_file, no config files baked or mounted into the Setu containers.
    for name, spec in setu_services().items():
        assert "env_file" not in spec, name
        for volume in spec.get("volumes", []):
            source = volume.split(":", 1)[0]
            assert not source.startswith((".", "/")), f"{name} mounts host path {source}"


def test_a_process_that_exits_is_started_again_as_setu_up_does():
    # setu.supervisor restarts what exits; compose's restart policy does the same, for every
    # long-running service (the infrastructure too), never for the one-shot migrate.
    for name, spec in SERVICES.items():
        expected = "no" if name == "migrate" else "unless-stopped"
        assert spec.get("restart") == expected, name


def test_every_service_has_a_healthcheck():
    for name, spec in SERVICES.items():
        assert spec.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"


def test_services_wait_for_migrations_to_complete():
    for name, spec in setu_services().items():
        if name in ("migrate", "mailcatcher", "mail-web"):
            continue
        condition = spec["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", name
    assert SERVICES["migrate"]["command"] == ["setu", "migrate"]
    assert SERVICES["migrate"]["restart"] == "no"


def test_ports_are_published_on_loopback_only():
    published = 0
    for name, spec in SERVICES.items():
        for mapping in spec.get("ports", []):
            assert str(mapping).startswith("127.0.0.1:"), f"{name} publishes {mapping}"
            published += 1
    assert published >= 2


def test_volumes_are_named_except_read_only_config():
    declared = set(COMPOSE["volumes"])
    for name, spec in SERVICES.items():
        for volume in spec.get("volumes", []):
            source, _, rest = volume.partition(":")
            # A file of the checkout (nginx's config, its pages) is only ever read.
            if source.startswith("./"):
                assert rest.endswith(":ro"), f"{name} mounts {source} writable"
                assert (ROOT / source).exists(), source
            else:
                assert source in declared, f"{name} uses undeclared volume {source}"


def test_redis_keeps_queues_durable_and_never_evicts():
    command = SERVICES["redis"]["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert command[command.index("--maxmemory-policy") + 1] == "noeviction"


def test_redis_requires_the_password_every_client_uses():
    password = SERVICES["redis"]["command"][SERVICES["redis"]["command"].index("--requirepass") + 1]
    assert password
    for name, spec in setu_services().items():
        assert environment(spec)["REDIS_URL"] == f"redis://:{password}@redis:6379/0", name


def test_flower_and_prometheus_run_only_under_the_ops_profile():
    for name in OPS:
        assert SERVICES[name]["profiles"] == ["ops"], name
    assert {n for n, s in SERVICES.items() if s.get("profiles")} == OPS


def test_every_process_but_beat_serves_metrics_in_compose():
    # Workers and relays only when their variable is set: compose sets it for each.
    for name, spec in setu_services().items():
        if name in NOT_IN_TOPOLOGY:
            continue
        [process] = [p for p in processes(environment(spec)) if p.name == name]
        if name == "beat":
            assert process.metrics_port(environment(spec)) is None
        else:
            assert process.metrics_port(environment(spec)), f"{name} serves no /metrics"


def test_postgres_init_creates_one_database_per_service():
    mounts = SERVICES["postgres"]["volumes"]
    script = next(m.split(":")[0] for m in mounts if "docker-entrypoint-initdb.d" in m)
    text = Path(ROOT / script).read_text()
    for database in ("programmes", "notifications", "reports"):
        assert re.search(rf"^create {database} ", text, re.M), database
        url = environment(SERVICES["programmes-api"])[f"{database.upper()}_DATABASE_URL"]
        assert url.endswith(f"@postgres:5432/{database}"), url
