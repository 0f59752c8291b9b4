"""Finding the external tools the deploy checks need (`make install system-packages` installs them).

In CI (CI=true) a missing tool is a failure: a check that cannot run must not pass.
Elsewhere the test is skipped with the command that installs the tool.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALL_HINT = "make install system-packages"


def require_tool(name: str) -> str:
    """The path of ``name``: on PATH, beside the running Python, or in /usr/sbin."""
    candidates = [
        shutil.which(name),
        str(Path(sys.executable).parent / name),
        f"/usr/sbin/{name}",
    ]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    message = f"{name} is not installed; run `{INSTALL_HINT}`"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message)
    pytest.skip(message)
