"""Write the results: bench/results/latest.json, its Markdown table, and the README's copy of it
(between two marker lines; a complete run replaces it, `--readme` here does it by hand)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.harness import LOAD, OK, Measurement, percent

RESULTS_DIR = Path(__file__).resolve().parent / "results"
README = RESULTS_DIR.parent.parent / "README.md"
# The README's copy of the table lies between these two lines.
README_BEGIN = (
    "<!-- bench table: `python -m bench.report --readme` copies it from results/latest.md -->"
)
README_END = "<!-- end of bench table -->"
COMMANDS_HEADING = "How each figure was produced:"


def machine() -> dict[str, Any]:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        commit = ""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "commit": commit,
    }


def write(
    results: list[Measurement], started: datetime, argv: list[str], stem: str = "latest"
) -> tuple[Path, Path]:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    document = {
        "started_at": started.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "command": " ".join(argv),
        "machine": machine(),
        "results": [m.as_dict() for m in results],
    }
    json_path = RESULTS_DIR / f"{stem}.json"
    json_path.write_text(json.dumps(document, indent=2, default=str) + "\n")
    md_path = RESULTS_DIR / f"{stem}.md"
    md_path.write_text(markdown(results, document))
    return json_path, md_path


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if abs(value) >= 100:
            return f"{value:,.0f}"
        return f"{value:.3g}"
    return str(value)


def _figures(m: Measurement) -> str:
    keys = [m.headline] if m.headline else []
    keys += [k for k in m.figures if k not in (m.headline, LOAD)]
    shown = ", ".join(f"{k} {_fmt(m.figures[k])}" for k in keys[:5] if k in m.figures)
    if m.status == OK:
        return shown
    reason = (m.reason or "").strip().splitlines() or [""]
    short = reason[-1] if len(reason[-1]) > 20 else " ".join(reason)
    text = f"**{m.status}**: {short[:300]}" + (f" ({shown})" if shown else "")
    return text.replace("|", "/")


def _ratio(m: Measurement) -> str:
    headline = m.headline_ratio()
    if headline is None:
        return "-"
    key, ratio = headline
    rounds = ""
    if len(m.round_ratios) > 1:
        low, high = min(m.round_ratios), max(m.round_ratios)
        rounds = f"; {len(m.round_ratios)} rounds: {percent(low)}-{percent(high)}"
    return f"**{percent(ratio)}** ({key}{rounds})"


def _verdicts(m: Measurement) -> str:
    if not m.verdicts:
        return "-"
    marks = {True: "yes", False: "**no**", None: "?"}
    return "; ".join(f"{v['target']}: {marks[v['met']]}" for v in m.verdicts)


def markdown(results: list[Measurement], document: dict[str, Any]) -> str:
    info = document["machine"]
    lines = [
        "<!-- written by `python -m bench`; do not edit by hand -->",
        f"Measured {document['started_at'][:16]} UTC on {info['cpus']} CPUs ({info['cpu']}), "
        f"commit `{info['commit']}`. Ratios to the ceiling are the headline; absolute figures "
        "hold for this machine only. `load` is the machine's 1-minute load average when the "
        f"figure was taken (above {info['cpus']}, other work was competing for the CPUs).",
        "",
        "| benchmark | figures | compared to | ratio | target: met? | load |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for m in results:
        lines.append(
            f"| {m.label} (`{m.name}`) | {_figures(m)} | {m.ceiling or '-'} | {_ratio(m)} "
            f"| {_verdicts(m)} | {_fmt(m.figures.get(LOAD))} |"
        )
    lines += ["", COMMANDS_HEADING, ""]
    for m in results:
        commands = "; ".join(f"`{c}`" for c in m.commands) or "-"
        lines.append(f"- `{m.name}`: {commands}")
        lines.extend(f"  - {note}" for note in m.notes if "\n" not in note)
    return "\n".join(lines) + "\n"


def rewrite_markdown(stem: str = "latest") -> Path:
    """Render ``<stem>.md`` again from ``<stem>.json`` (after a change to this module)."""
    document = json.loads((RESULTS_DIR / f"{stem}.json").read_text())
    results = []
    for data in document["results"]:
        data = dict(data)
        data["targets"] = []  # kept as text in the JSON; the verdicts carry them
        results.append(Measurement(**data))
    path = RESULTS_DIR / f"{stem}.md"
    path.write_text(markdown(results, document))
    return path


def readme_table(rendered: str) -> str:
    """What the README shows of a rendered ``latest.md``: the line under its comment and the
    table, not the commands behind each figure."""
    _comment, body = rendered.split("\n", 1)
    return body.split(f"\n{COMMANDS_HEADING}", 1)[0].strip("\n")


def update_readme(readme: Path = README, rendered: Path = RESULTS_DIR / "latest.md") -> Path:
    """Put the table of ``rendered`` in the README, between its two marker lines."""
    text = readme.read_text()
    if README_BEGIN not in text or README_END not in text:
        raise SystemExit(f"{readme} has no bench table markers ({README_BEGIN!r})")
    head, rest = text.split(README_BEGIN, 1)
    _old, tail = rest.split(README_END, 1)
    table = readme_table(rendered.read_text())
    readme.write_text(f"{head}{README_BEGIN}\n{table}\n{README_END}{tail}")
    return readme


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Render results/<stem>.md from its JSON again.")
    parser.add_argument("stem", nargs="?", default="latest")
    parser.add_argument("--readme", action="store_true", help="then copy its table into the README")
    args = parser.parse_args()
    rendered = rewrite_markdown(args.stem)
    print(rendered)
    if args.readme:
        print(update_readme(rendered=rendered))
