"""What a benchmark produces (a Measurement), its targets, and the loop that runs the groups.

A group is a function ``run(ctx) -> Iterator[Measurement]``. Whatever it raises becomes a
``failed`` measurement with the reason, printed and recorded like any other result: a
benchmark that breaks is a finding, never a gap in the table.
"""

from __future__ import annotations

import os
import shlex
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

OK = "ok"
FAILED = "failed"
NOT_MEASURED = "not measured"
LOAD = "load_avg_1m"  # recorded with every result


@dataclass(frozen=True)
class Target:
    """``figure`` (or its ratio to the ceiling's same figure) compared with ``value``."""

    figure: str
    op: str  # ">=" or "<="
    value: float
    of_ceiling: bool = False

    def describe(self) -> str:
        if self.of_ceiling:
            return f"{self.figure} {self.op} {self.value:.0%} of ceiling"
        return f"{self.figure} {self.op} {self.value:g}"

    def check(self, observed: float | None) -> bool | None:
        if observed is None:
            return None
        return observed >= self.value if self.op == ">=" else observed <= self.value


@dataclass
class Measurement:
    name: str
    label: str
    figures: dict[str, float] = field(default_factory=dict)
    headline: str | None = None  # the figure the table shows first
    commands: list[str] = field(default_factory=list)
    status: str = OK
    reason: str | None = None
    ceiling: str | None = None  # name of the measurement this one is compared to
    compare: dict[str, str] = field(default_factory=dict)  # my figure -> the ceiling's figure
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # filled in by finish(): ratio to the ceiling and target verdicts
    ratios: dict[str, float] = field(default_factory=dict)
    verdicts: list[dict[str, Any]] = field(default_factory=list)
    # filled in by median_round(): the headline ratio in every round, when run in rounds
    round_ratios: list[float] = field(default_factory=list)

    def headline_ratio(self) -> tuple[str, float] | None:
        """The ratio the table shows: the headline figure's, else the first there is."""
        if not self.ratios:
            return None
        key = self.headline if self.headline in self.ratios else next(iter(self.ratios))
        return key, self.ratios[key]

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["targets"] = [t.describe() for t in self.targets]
        return data


def failed(name: str, label: str, reason: str, commands: list[str] | None = None) -> Measurement:
    return Measurement(name, label, status=FAILED, reason=reason, commands=commands or [])


def not_measured(name: str, label: str, reason: str) -> Measurement:
    return Measurement(name, label, status=NOT_MEASURED, reason=reason)


def rerun_command(group: str) -> str:
    python = os.path.relpath(sys.executable) if sys.executable.startswith(os.getcwd()) else None
    return f"{shlex.quote(python or sys.executable)} -m bench --only {group}"


def load_average() -> float:
    """The machine's 1-minute load average: other work on it shows in every figure."""
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return -1.0


def show(measurement: Measurement) -> None:
    """Print one result the moment it is known, with the commands that produced it."""
    status = "" if measurement.status == OK else f" [{measurement.status.upper()}]"
    print(f"\n== {measurement.name}: {measurement.label}{status}", flush=True)
    for key, value in measurement.figures.items():
        print(f"   {key:<22} {value:,.3f}" if isinstance(value, float) else f"   {key:<22} {value}")
    if measurement.reason:
        print(f"   reason: {measurement.reason}")
    for note in measurement.notes:
        print(f"   note: {note}")
    for command in measurement.commands:
        print(f"   $ {command}")
    sys.stdout.flush()


Group = Callable[[Any], Iterator[Measurement]]


def run_group(name: str, group: Group, ctx: Any) -> list[Measurement]:
    """Run one group; its exceptions become a failed measurement named after the group."""
    results: list[Measurement] = []
    started = time.monotonic()
    print(f"\n##### {name} #####", flush=True)
    try:
        for measurement in group(ctx):
            measurement.commands.append(rerun_command(name))
            measurement.figures.setdefault(LOAD, load_average())
            show(measurement)
            results.append(measurement)
    except Exception as exc:  # a broken benchmark is reported, never hidden
        trace = traceback.format_exc(limit=4)
        reason = f"{type(exc).__name__}: {exc}".strip()[:2000]
        result = failed(f"{name}.error", f"{name} stopped with an error", reason)
        result.notes.append(trace[-3000:])
        result.commands.append(rerun_command(name))
        show(result)
        results.append(result)
    print(f"({name} took {time.monotonic() - started:.1f}s)", flush=True)
    return results


def compute_ratios(results: list[Measurement]) -> None:
    """Each measurement's figures as ratios to its ceiling's, among ``results``."""
    by_name = {m.name: m for m in results}
    for m in results:
        ceiling = by_name.get(m.ceiling) if m.ceiling else None
        if ceiling is not None and m.status == OK and ceiling.status == OK:
            for key, value in m.figures.items():
                if key == LOAD:
                    continue
                base = ceiling.figures.get(m.compare.get(key, key))
                if isinstance(base, int | float) and base and isinstance(value, int | float):
                    m.ratios[key] = value / base


def median_round(rounds: list[list[Measurement]]) -> list[Measurement]:
    """Of several rounds of a ceiling and what is compared to it, the median one by the mean
    of its headline ratios, whole (its ratios are to its own ceiling run); each of its
    measurements notes what it made in every round.

    This host's speed has moved by more than 2x within the hour: one pair whose ceiling ran
    in a fast moment and whose measurement ran in a slow one said more about the host than
    about Setu.
    """
    for results in rounds:
        compute_ratios(results)

    def headline(m: Measurement) -> tuple[str, float | None, bool]:
        ratio = m.headline_ratio()
        if ratio is not None:
            return *ratio, True
        key = m.headline or next(iter(m.figures), "")
        value = m.figures.get(key)
        return key, value if isinstance(value, int | float) else None, False

    def score(results: list[Measurement]) -> float:
        ratios = []
        for m in results:
            _, value, is_ratio = headline(m)
            if is_ratio and value is not None:
                ratios.append(value)
        return sum(ratios) / len(ratios) if ratios else 0.0

    order = sorted(range(len(rounds)), key=lambda i: score(rounds[i]))
    chosen = order[len(order) // 2]
    for m in rounds[chosen]:
        key, _, is_ratio = headline(m)
        seen = [headline(other) for r in rounds for other in r if other.name == m.name]
        shown = ", ".join(_round_figure(value, is_ratio) for _, value, _ in seen)
        what = f"{key} ratio" if is_ratio else key
        if is_ratio:
            m.round_ratios = [value for _, value, _ in seen if value is not None]
        m.notes.append(
            f"round {chosen + 1} of {len(rounds)} (the median by its ratios); {what} in each "
            f"round: {shown}"
        )
    return rounds[chosen]


def percent(ratio: float) -> str:
    return f"{ratio:.1%}" if ratio < 0.1 else f"{ratio:.0%}"


def _round_figure(value: float | None, is_ratio: bool) -> str:
    if value is None:
        return "-"
    if is_ratio:
        return percent(value)
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def finish(results: list[Measurement]) -> None:
    """Compute each ratio to its ceiling and each target verdict."""
    compute_ratios(results)
    for m in results:
        for target in m.targets:
            source = m.ratios if target.of_ceiling else m.figures
            observed = source.get(target.figure) if m.status == OK else None
            m.verdicts.append(
                {"target": target.describe(), "observed": observed, "met": target.check(observed)}
            )
