"""deploy/prometheus.yml scrapes every process of docker-compose.yml that serves /metrics, on
the port that process serves it on (issue 7); and the Prometheus image of the `ops` profile
is built from Debian's package, with nothing baked in but the config mount.

deploy/prometheus/alerts.yml is loaded by that config, accepted by promtool, fires as its
own tests (alerts.test.yml) say, and names only metrics the services export.
"""

from __future__ import annotations

import re
import subprocess

import pytest
import yaml

from setu.topology import processes
from tests.deploy.compose_model import environment, load, runs_setu_image
from tests.deploy.tools import ROOT, require_tool

CONFIG = ROOT / "deploy" / "prometheus.yml"
ALERTS = ROOT / "deploy" / "prometheus" / "alerts.yml"
ALERT_TESTS = ROOT / "deploy" / "prometheus" / "alerts.test.yml"
SERVICES = load()["services"]


def scrape_jobs() -> dict[str, tuple[str, int]]:
    """Each job but Prometheus's own: job name -> (the DNS name it looks up, the port)."""
    jobs = {}
    for job in yaml.safe_load(CONFIG.read_text())["scrape_configs"]:
        if job["job_name"] == "prometheus":
            assert job["static_configs"] == [{"targets": ["127.0.0.1:9090"]}]
            continue
        assert set(job) == {"job_name", "dns_sd_configs"}, job["job_name"]
        [lookup] = job["dns_sd_configs"]
        [name] = lookup["names"]
        assert lookup["type"] == "A", job["job_name"]
        jobs[job["job_name"]] = (name, lookup["port"])
    return jobs


def metrics_endpoints() -> dict[str, int]:
    """Compose service -> the port it serves /metrics on, from its own environment."""
    served = {}
    for name, spec in SERVICES.items():
        if not runs_setu_image(spec):
            continue
        env = environment(spec)
        for process in processes(env):
            port = process.metrics_port(env)
            if process.name == name and port:
                served[name] = port
    return served


def test_the_compose_model_finds_the_workers_and_relays():
    # Guard the guard: an empty model would make the next test pass on an empty config.
    assert {"gateway", "reports-api", "notifications-worker", "programmes-relay"} <= set(
        metrics_endpoints()
    )


def test_prometheus_scrapes_every_metrics_port_of_compose_and_nothing_else():
    expected = {name: (name, port) for name, port in metrics_endpoints().items()}
    assert scrape_jobs() == expected


def test_prometheus_runs_under_ops_with_the_config_mounted_read_only():
    spec = SERVICES["prometheus"]
    assert spec["profiles"] == ["ops"]
    mount = "./deploy/prometheus.yml:/etc/setu/prometheus.yml:ro"
    assert mount in spec["volumes"]
    assert "./deploy/prometheus/alerts.yml:/etc/setu/alerts.yml:ro" in spec["volumes"]
    assert yaml.safe_load(CONFIG.read_text())["rule_files"] == ["/etc/setu/alerts.yml"]
    assert "--config.file=/etc/setu/prometheus.yml" in spec["command"]
    assert spec["build"]["context"] == "./deploy/prometheus"
    assert spec["ports"] == ["127.0.0.1:9090:9090"]


def test_prometheus_image_installs_debians_package():
    text = (ROOT / "deploy" / "prometheus" / "Dockerfile").read_text()
    assert 'ARG PACKAGES="prometheus ' in text
    assert "apt-get install -y --no-install-recommends ${PACKAGES}" in text
    assert 'ENTRYPOINT ["/usr/bin/prometheus"]' in text


def test_promtool_accepts_the_config():
    promtool = require_tool("promtool")
    result = subprocess.run(
        [promtool, "check", "config", "--syntax-only", str(CONFIG)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("service", ["notifications-worker", "reports-worker"])
def test_a_scaled_worker_is_scraped_in_every_replica(service: str):
    # Not one static target: Docker's DNS answers the service name with every replica.
    assert SERVICES[service].get("container_name") is None
    assert scrape_jobs()[service][0] == service


def _promtool(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [require_tool("promtool"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=cwd,
    )


def test_promtool_accepts_the_alert_rules():
    result = _promtool("check", "rules", str(ALERTS))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_alerts_fire_when_and_only_when_their_tests_say():
    result = _promtool("test", "rules", ALERT_TESTS.name, cwd=ALERT_TESTS.parent)
    assert result.returncode == 0, result.stdout + result.stderr


def _exported_by_the_apis() -> set[str]:
    """The metric families the APIs export about their consumers' confirmations (the
    producers') and about the erasures whose freed space is still to be reclaimed."""
    from sqlalchemy import MetaData, create_engine

    from setu_contract.deliveries import DeliveryLedger, deliveries_table
    from setu_contract.metrics import DeliveriesCollector, ReclaimsDueCollector
    from setu_contract.outbox import outbox_table
    from setu_contract.reclaims import reclaims_table

    engine = create_engine("sqlite://")
    metadata = MetaData()
    ledger = DeliveryLedger(deliveries_table(metadata), outbox_table(metadata))
    reclaims = reclaims_table(metadata)
    metadata.create_all(engine)
    collectors = [
        DeliveriesCollector(engine, ledger, "programmes"),
        ReclaimsDueCollector(engine, reclaims, "programmes"),
    ]
    try:
        return {family.name for collector in collectors for family in collector.collect()}
    finally:
        engine.dispose()


def test_the_alerts_name_only_metrics_the_apis_export():
    named = set()
    for group in yaml.safe_load(ALERTS.read_text())["groups"]:
        for rule in group["rules"]:
            named |= set(re.findall(r"\bsetu_[a-z_]+", rule["expr"]))
    assert named
    assert named <= _exported_by_the_apis()
