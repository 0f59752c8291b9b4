"""Exponential backoff with jitter for retrying transient failures."""

from __future__ import annotations

import random

from setu_contract.messaging import MAX_COUNTDOWN


def retry_countdown(
    attempt: int, base: float, cap: float, rng: random.Random | None = None
) -> float:
    """Seconds to wait before retry number ``attempt`` (1, 2, ...): ``base * 2**(attempt-1)``
    capped at ``cap`` (never above MAX_COUNTDOWN), of which a random half is jitter so that
    many failing tasks do not all come back at once."""
    limit = min(cap, MAX_COUNTDOWN)
    delay = min(limit, base * 2.0 ** max(attempt - 1, 0))
    jitter: float = (rng or random).uniform(0, delay / 2)
    return delay / 2 + jitter
