"""The fonts a report is drawn with: Latin, Japanese and Devanagari, in tables and in charts.

WeasyPrint (tables) and matplotlib (charts) are given the same families, in this order; each
character takes the first family that has a glyph for it. The Debian packages named here are
what deploy/install-tools.sh and deploy/Dockerfile install, and tests/deploy checks that
they do.
"""

from __future__ import annotations

from contextlib import suppress
from functools import cache

FAMILIES = ("Noto Sans", "Noto Sans CJK JP", "Noto Sans Devanagari")
DEBIAN_PACKAGES = {
    "Noto Sans": "fonts-noto-core",
    "Noto Sans CJK JP": "fonts-noto-cjk",
    "Noto Sans Devanagari": "fonts-noto-core",
}
CSS_FAMILIES = ", ".join(f'"{family}"' for family in FAMILIES) + ", sans-serif"


class MissingFont(RuntimeError):
    """A family a report needs is not installed: its text would be drawn as empty boxes."""


@cache
def chart_families() -> list[str]:
    """FAMILIES, once matplotlib knows each of them; MissingFont if one is not installed.

    matplotlib keeps a cache of the system's fonts made when it first ran: fonts installed
    after that are added here, once per process, rather than drawn as boxes.
    """
    from matplotlib import font_manager

    manager = font_manager.fontManager
    if not set(FAMILIES) <= {font.name for font in manager.ttflist}:
        known = {font.fname for font in manager.ttflist}
        for path in font_manager.findSystemFonts():
            if path not in known:
                with suppress(Exception):  # as matplotlib does: an unreadable file is skipped
                    manager.addfont(path)
    missing = [f for f in FAMILIES if f not in {font.name for font in manager.ttflist}]
    if missing:
        packages = sorted({DEBIAN_PACKAGES[family] for family in missing})
        raise MissingFont(
            f"fonts {missing} are not installed (Debian: apt-get install {' '.join(packages)})"
        )
    return list(FAMILIES)
