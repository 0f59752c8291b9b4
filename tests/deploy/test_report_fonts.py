"""The fonts reports are drawn with are installed by the setup and by the image, and are here.

services/reports/reports/render/fonts.py names the families (Latin, Japanese, Devanagari)
and the Debian package of each; deploy/install-tools.sh (which `make test` runs) and
deploy/Dockerfile (with compose-smoke's stand-in base) must install exactly those packages,
or a chart or a PDF draws names as empty boxes in one place and not the other.
"""

from __future__ import annotations

import re
import subprocess

from reports.render.fonts import DEBIAN_PACKAGES, FAMILIES
from tests.deploy.tools import ROOT, require_tool


def test_every_family_is_installed_on_this_machine():
    fc_list = require_tool("fc-list")
    for family in FAMILIES:
        found = subprocess.run(
            [fc_list, family, "family"], capture_output=True, text=True, check=True, timeout=30
        ).stdout
        assert family in found.splitlines(), (
            f"{family} is not installed: run deploy/install-tools.sh"
        )


def test_the_setup_checks_and_installs_every_family():
    script = (ROOT / "deploy" / "install-tools.sh").read_text()
    for family, package in DEBIAN_PACKAGES.items():
        checked = re.search(rf"has_font '{re.escape(family)}'.*missing\+=\({package}\)", script)
        assert checked, f"install-tools.sh does not install {package} when {family} is missing"


def test_the_image_and_its_stand_in_base_install_the_font_packages():
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    image = set(re.search(r'ARG RUNTIME_PACKAGES="([^"]+)"', dockerfile).group(1).split())
    smoke = (ROOT / "deploy" / "compose-smoke.sh").read_text()
    stand_in = set(re.search(r'runtime_packages="([^"]+)"', smoke).group(1).split(","))
    assert stand_in == image
    fonts = {p for p in image if p.startswith("fonts-")}
    assert fonts == set(DEBIAN_PACKAGES.values()), "the image's fonts are not the reports' fonts"
    assert set(DEBIAN_PACKAGES) == set(FAMILIES)
