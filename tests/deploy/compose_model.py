"""docker-compose.yml as data: parsed, with `${VAR:-default}` interpolated as compose does."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from setu_contract.secret_settings import SECRET_VARIABLES, new_secret
from tests.deploy.tools import ROOT

COMPOSE_FILE = ROOT / "docker-compose.yml"

# What an operator must set before compose runs at all (``${VAR:?...}`` in the file).
REQUIRED_SECRETS = {variable: new_secret() for variable in SECRET_VARIABLES}

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}, and $$ (a dollar).
_VARIABLE = re.compile(r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?])?(?P<arg>[^}]*)\}")


def interpolate(text: str, env: Mapping[str, str]) -> str:
    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name"), match.group("op"), match.group("arg")
        value = env.get(name)
        if (op in (":-", ":?") and not value) or (op in ("-", "?") and value is None):
            if op.endswith("?"):
                raise ValueError(f"{name} must be set: {arg}")
            return arg
        return value or ""

    return _VARIABLE.sub(substitute, text)


def _resolve(node: Any, env: Mapping[str, str]) -> Any:
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, list):
        return [_resolve(item, env) for item in node]
    if isinstance(node, dict):
        return {key: _resolve(value, env) for key, value in node.items()}
    return node


def load(env: Mapping[str, str] | None = None, path: Path = COMPOSE_FILE) -> dict[str, Any]:
    """The whole file, YAML anchors merged, variables interpolated from ``env`` (default:
    only the secrets compose requires)."""
    return _resolve(yaml.safe_load(path.read_text()), REQUIRED_SECRETS if env is None else env)


def environment(service: Mapping[str, Any]) -> dict[str, str]:
    """A service's environment as a dict, whether written as a mapping or a list."""
    value = service.get("environment") or {}
    if isinstance(value, list):
        return dict(item.split("=", 1) for item in value)
    return {key: "" if item is None else str(item) for key, item in value.items()}


def runs_setu_image(service: Mapping[str, Any]) -> bool:
    return str(service.get("image", "")).startswith("setu:")
