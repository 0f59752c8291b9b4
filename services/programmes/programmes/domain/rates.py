"""Per-key rate limits: parsing ``600/minute`` and fixed-window arithmetic."""

from __future__ import annotations

import threading
from dataclasses import dataclass

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds

    def window(self, now: float) -> int:
        return int(now // self.period)

    def retry_after(self, now: float) -> int:
        """Whole seconds until the current window ends (at least 1)."""
        return max(1, int((self.window(now) + 1) * self.period - now + 0.999))


def parse_rate(text: str) -> Rate:
    """``"600/minute"`` -> Rate(600, 60); a bad setting is an error at start-up."""
    count, _, period = text.strip().partition("/")
    period = period.strip().lower().rstrip("s") or "minute"
    if period not in PERIODS or not count.strip().isdigit() or int(count) < 1:
        raise ValueError(f"a rate must look like 600/minute, not {text!r}")
    return Rate(int(count), PERIODS[period])


class LocalWindows:
    """Fixed-window counters in this process: the fallback while Redis is away."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], int] = {}
        self._lock = threading.Lock()

    def peek(self, key: str, window: int) -> int:
        """The count of ``key`` in ``window``, not counting this look."""
        return self._counts.get((key, window), 0)

    def hit(self, key: str, window: int) -> int:
        with self._lock:
            for stale in [k for k in self._counts if k[1] < window]:
                del self._counts[stale]
            count = self._counts.get((key, window), 0) + 1
            self._counts[(key, window)] = count
            return count
