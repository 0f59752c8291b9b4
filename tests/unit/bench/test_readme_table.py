"""The README shows the table of the last complete run (`python -m bench.report --readme`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.report import (
    COMMANDS_HEADING,
    README,
    README_BEGIN,
    README_END,
    RESULTS_DIR,
    readme_table,
    update_readme,
)

RENDERED = "\n".join(
    [
        "<!-- written by `python -m bench`; do not edit by hand -->",
        "Measured 2026-12-05T07:08 UTC on 2 CPUs.",
        "",
        "| benchmark | figures |",
        "| --- | --- |",
        "| GET (`api.get`) | req_per_s 2,789 |",
        "",
        COMMANDS_HEADING,
        "",
        "- `api.get`: `wrk ...`",
        "",
    ]
)
TABLE = "\n".join(RENDERED.split("\n")[1:6])  # the line under the comment, and the table


def test_the_readme_shows_the_table_without_its_comment_or_commands():
    assert readme_table(RENDERED) == TABLE


def test_the_table_replaces_only_what_lies_between_the_markers(tmp_path: Path):
    rendered = tmp_path / "latest.md"
    rendered.write_text(RENDERED)
    readme = tmp_path / "README.md"
    readme.write_text(
        f"## Benchmarks\n\nprose\n\n{README_BEGIN}\nold table\n{README_END}\n\n## Tests\n"
    )
    update_readme(readme, rendered)
    once = readme.read_text()
    assert once == f"## Benchmarks\n\nprose\n\n{README_BEGIN}\n{TABLE}\n{README_END}\n\n## Tests\n"
    update_readme(readme, rendered)
    assert readme.read_text() == once


def test_a_readme_without_the_markers_is_refused(tmp_path: Path):
    rendered = tmp_path / "latest.md"
    rendered.write_text(RENDERED)
    readme = tmp_path / "README.md"
    readme.write_text("## Benchmarks\n")
    with pytest.raises(SystemExit):
        update_readme(readme, rendered)
    assert readme.read_text() == "## Benchmarks\n"


def test_the_committed_readme_shows_the_committed_run():
    shown = README.read_text().split(README_BEGIN, 1)[1].split(README_END, 1)[0]
    assert shown.strip("\n") == readme_table((RESULTS_DIR / "latest.md").read_text())
