"""One OpenAPI document for the whole API, merged from the three services' own documents."""

from __future__ import annotations

import importlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from setu.openapi_operations import describe
from setu_contract.secret_settings import SECRET_VARIABLES, new_secret

SERVICES = ("programmes", "notifications", "reports")
COMMITTED = Path(__file__).with_name("openapi.json")


class SpecConflict(ValueError):
    pass


def service_spec(service: str) -> dict[str, Any]:
    """The service's document, from its app (no database or broker is touched; the secrets
    it refuses to start without are throwaway ones)."""
    with tempfile.TemporaryDirectory() as data_dir:
        settings = {"SETU_DATA_DIR": data_dir}
        settings.update({variable: new_secret() for variable in SECRET_VARIABLES})
        previous = {name: os.environ.get(name) for name in settings}
        os.environ.update(settings)
        try:
            app = importlib.import_module(f"{service}.app").create_app()
            return app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
        finally:
            for name, value in previous.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def _merge_into(target: dict[str, Any], source: dict[str, Any], where: str) -> None:
    for name, value in source.items():
        if name in target and target[name] != value:
            raise SpecConflict(f"{where}/{name} differs between services")
        target[name] = value


def merge(specs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {
        "openapi": next(iter(specs.values()))["openapi"],
        "info": {
            "title": "Setu API",
            "version": "1",
            "description": (
                "The Japan-India partnership programme platform: partner organisations "
                "propose joint research programmes and file talent-exchange applications; "
                "the joint secretariat decides."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": {},
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "an API key"}
            }
        },
        "tags": [],
    }
    for service, spec in specs.items():
        paths = {p: v for p, v in spec.get("paths", {}).items() if p.startswith("/v1/")}
        _merge_into(merged["paths"], paths, f"{service}: paths")
        for section, entries in spec.get("components", {}).items():
            if section == "securitySchemes":
                continue  # one scheme for the whole API, above
            _merge_into(
                merged["components"].setdefault(section, {}),
                entries,
                f"{service}: components/{section}",
            )
        known = {t["name"] for t in merged["tags"]}
        merged["tags"] += [t for t in spec.get("tags", []) if t["name"] not in known]
    return merged


def build() -> dict[str, Any]:
    spec = merge({service: service_spec(service) for service in SERVICES})
    describe(spec)
    return spec


def render(spec: dict[str, Any]) -> str:
    return json.dumps(spec, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
