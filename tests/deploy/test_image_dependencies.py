"""The image installs the project's declared dependencies and nothing else (deploy/Dockerfile):
every third-party module the code imports must come from a distribution that pyproject.toml's
dependencies pull in, or the containers fail at import time while `make test` passes.
"""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import re
import sys
import tomllib

from tests.deploy.tools import ROOT

FIRST_PARTY = {"setu", "setu_contract", "programmes", "notifications", "reports", "console"}


def imported_top_level_modules() -> dict[str, str]:
    """{module: first file importing it} over services/ and cli/ (absolute imports only)."""
    found: dict[str, str] = {}
    for directory in (ROOT / "services", ROOT / "cli"):
        for path in sorted(directory.rglob("*.py")):
            tree = ast.parse(path.read_text(), str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    return found


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;(]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def declared_closure() -> set[str]:
    """Distributions pyproject's dependencies install, with theirs, as pip would resolve them."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pending = [_name(r) for r in project["dependencies"]]
    extras = {
        _name(r): set(re.findall(r"\[([^\]]+)\]", r)[0].split(",")) if "[" in r else set()
        for r in project["dependencies"]
    }
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requirements = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for requirement in requirements:
            marker = requirement.split(";", 1)[1] if ";" in requirement else ""
            wanted_extra = re.search(r"extra\s*==\s*['\"]([^'\"]+)['\"]", marker)
            if wanted_extra and wanted_extra.group(1) not in extras.get(name, set()):
                continue
            pending.append(_name(requirement))
    return seen


def test_every_imported_third_party_module_is_a_declared_dependency():
    distributions = metadata.packages_distributions()
    closure = declared_closure()
    undeclared = {}
    for module, where in imported_top_level_modules().items():
        if module in FIRST_PARTY or module in sys.stdlib_module_names:
            continue
        owners = {d.lower().replace("_", "-") for d in distributions.get(module, [module])}
        if not owners & closure:
            undeclared[module] = where
    assert not undeclared, (
        "imported but not in pyproject.toml [project] dependencies, so missing from the image: "
        + ", ".join(f"{module} ({where})" for module, where in sorted(undeclared.items()))
    )


def test_the_dependency_scan_sees_the_frameworks():
    modules = imported_top_level_modules()
    assert {"flask", "sqlalchemy", "celery"} <= set(modules)
    assert {"flask", "sqlalchemy", "celery", "kombu"} <= declared_closure()
