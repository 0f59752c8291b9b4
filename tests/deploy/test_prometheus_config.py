"""deploy/prometheus.yml scrapes every process of docker-compose.yml that serves /metrics, on
the port that process serves it on (issue 7); and the Prometheus image of the `ops` profile
is built from Debian's package, with nothing baked in but the config mount.
"""

from __future__ import annotations

import subprocess

import pytest
import yaml

from setu.topology import processes
from tests.deploy.compose_model import environment, load, runs_setu_image
from tests.deploy.tools import ROOT, require_tool

CONFIG = ROOT / "deploy" / "prometheus.yml"
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
