"""When to try a failed email again: exponential backoff with full jitter, capped."""

from __future__ import annotations

import random

from setu_contract.messaging import MAX_COUNTDOWN

MAX_ATTEMPTS = 8
BASE_DELAY = 2.0
# Below the contract's longest countdown, so the broker never hands a waiting task out twice.
MAX_DELAY = min(240.0, MAX_COUNTDOWN * 0.8)


def backoff(attempt: int, rng: random.Random | None = None) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
    ceiling = min(MAX_DELAY, BASE_DELAY * 2.0 ** max(attempt - 1, 0))
    jitter: float = (rng or random).uniform(0.5, 1.0)
    return round(ceiling * jitter, 3)


def should_retry(attempt: int) -> bool:
    return attempt < MAX_ATTEMPTS
