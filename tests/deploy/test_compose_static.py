"""Static checks of the deployment files: docker-compose config, hadolint, image rules."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from setu_contract.secret_settings import SECRET_VARIABLES
from tests.deploy.compose_model import COMPOSE_FILE, REQUIRED_SECRETS
from tests.deploy.tools import ROOT, require_tool

DOCKERFILES = sorted(
    [*ROOT.joinpath("deploy").rglob("Dockerfile"), *ROOT.joinpath("deploy").rglob("*.Dockerfile")]
)


def run(argv: list[str], **settings: str) -> subprocess.CompletedProcess[str]:
    """``argv`` in the repository, with the secrets compose requires (or ``settings``)."""
    env = {k: v for k, v in os.environ.items() if k not in SECRET_VARIABLES}
    env.update(settings or REQUIRED_SECRETS)
    return subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize("profiles", [[], ["--profile", "ops"]], ids=["default", "ops"])
def test_docker_compose_config_is_valid(profiles: list[str]):
    compose = require_tool("docker-compose")
    result = run([compose, "-f", str(COMPOSE_FILE), *profiles, "config", "-q"])
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", SECRET_VARIABLES)
def test_docker_compose_refuses_to_run_without_each_secret(missing: str):
    compose = require_tool("docker-compose")
    others = {k: v for k, v in REQUIRED_SECRETS.items() if k != missing}
    result = run([compose, "-f", str(COMPOSE_FILE), "config", "-q"], **others)
    assert result.returncode != 0
    assert missing in result.stderr


def test_docker_compose_config_lists_every_service():
    compose = require_tool("docker-compose")
    result = run([compose, "-f", str(COMPOSE_FILE), "--profile", "ops", "config", "--services"])
    assert result.returncode == 0, result.stderr
    services = set(result.stdout.split())
    assert {"redis", "postgres", "nginx", "migrate", "beat", "flower"} <= services


def test_there_are_dockerfiles_to_lint():
    assert ROOT / "deploy" / "Dockerfile" in DOCKERFILES


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_dockerfile_passes_hadolint(dockerfile):
    hadolint = require_tool("hadolint")
    result = run([hadolint, "--no-color", str(dockerfile)])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_dockerfile_has_no_syntax_line_and_runs_as_non_root(dockerfile):
    text = dockerfile.read_text()
    assert not re.search(r"^#\s*syntax\s*=", text, re.M | re.I)
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert users and users[-1] not in ("root", "0", "0:0"), "the final stage must not be root"


def test_setu_image_installs_host_built_wheels_without_network_or_build_tools():
    text = (ROOT / "deploy" / "Dockerfile").read_text()
    assert "--no-index" in text and "--find-links /wheels" in text
    final_stage = text.rsplit("\nFROM ", 1)[1]
    assert "/wheels" not in final_stage, "the wheels stay in the build stage"
    for tool in ("gcc", "g++", "build-essential", "-dev ", '-dev"'):
        assert tool not in text, tool
    # apt-get installs only the runtime libraries, and only where the base lacks them.
    installs = re.findall(r"apt-get install[^\n]*", text)
    assert installs == ["apt-get install -y --no-install-recommends ${RUNTIME_PACKAGES} \\"]
    runtime = re.search(r'ARG RUNTIME_PACKAGES="([^"]+)"', text).group(1).split()
    assert all(p.startswith(("lib", "fonts-")) and not p.endswith("-dev") for p in runtime)
    ignore = (ROOT / "deploy" / ".dockerignore").read_text().split()
    assert ignore[ignore.index("*") :] == ["*", "!wheels/", "!healthcheck.py"]
