"""The relay's pace: every poll interval while events come, slower once none has come for
a second, and at once again with the next event (setu_contract.outbox.OutboxRelay.run)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from setu_contract import outbox
from setu_contract.outbox import IDLE_INTERVAL, QUIET_AFTER, OutboxRelay


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Stop:
    """A stop event whose waits pass on the fake clock; set after ``passes`` waits."""

    def __init__(self, clock: Clock, passes: int) -> None:
        self.clock = clock
        self.passes = passes
        self.waits: list[float] = []

    def is_set(self) -> bool:
        return len(self.waits) >= self.passes

    def wait(self, seconds: float) -> bool:
        self.waits.append(seconds)
        self.clock.now += seconds
        return self.is_set()


class Scripted(OutboxRelay):
    """A relay whose passes publish what ``published`` says, in turn (0 once it runs out)."""

    def __init__(self, published: list[int | Exception]) -> None:
        super().__init__(engine=None, table=None, publish=lambda envelope: None)  # type: ignore[arg-type]
        self.script: Iterator[int | Exception] = iter(published)

    def relay_batch(self) -> int:
        step = next(self.script, 0)
        if isinstance(step, Exception):
            raise step
        return step


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(outbox, "monotonic", fake)
    return fake


def test_a_quiet_relay_slows_to_its_idle_interval_and_the_next_event_wakes_it(clock):
    poll = 0.05
    quiet_passes = round(QUIET_AFTER / poll)
    # One event, a second and more of nothing, then another event and nothing again.
    script: list[int | Exception] = [1] + [0] * (quiet_passes + 3) + [1, 0]
    stop = Stop(clock, len(script))
    Scripted(script).run(stop, poll_interval=poll)  # type: ignore[arg-type]
    waits = stop.waits
    # Within a second of an event, every poll interval; then the idle interval.
    assert waits[: quiet_passes - 1] == [poll] * (quiet_passes - 1)
    assert waits[quiet_passes + 1 : quiet_passes + 4] == [IDLE_INTERVAL] * 3
    # The event found after the quiet spell brings the poll interval back at once.
    assert waits[-2:] == [poll, poll]


def test_a_full_batch_is_followed_at_once_and_a_failing_pass_backs_off(clock, caplog):
    relay = Scripted([200, 200, ConnectionError("down"), ConnectionError("down"), 0])
    relay.batch_size = 200
    stop = Stop(clock, 3)
    relay.run(stop, poll_interval=0.05, max_backoff=5.0)  # type: ignore[arg-type]
    # Two full batches: no wait between them; each failure doubles the wait, and the log
    # says the wait that follows it.
    assert stop.waits == [0.1, 0.2, 0.05]
    said = [r.getMessage() for r in caplog.records if "relay pass failed" in r.getMessage()]
    assert [m.split("retrying in ")[1].split("s:")[0] for m in said] == ["0.10", "0.20"]


def test_an_idle_interval_below_the_poll_interval_never_speeds_the_relay_up(clock):
    script: list[int | Exception] = [0] * (round(QUIET_AFTER / 0.5) + 4)
    stop = Stop(clock, len(script))
    Scripted(script).run(stop, poll_interval=0.5, idle_interval=0.1)  # type: ignore[arg-type]
    assert set(stop.waits) == {0.5}
