"""A ceiling and what is compared to it run in rounds; the median round is kept whole."""

from __future__ import annotations

from bench.__main__ import steps
from bench.harness import Measurement, Target, finish, median_round
from bench.report import markdown


def one_round(ceiling: float, get: float, relay: float) -> list[Measurement]:
    return [
        Measurement("ceiling.http", "ceiling", {"req_per_s": ceiling}, headline="req_per_s"),
        Measurement(
            "api.get",
            "GET",
            {"req_per_s": get},
            headline="req_per_s",
            ceiling="ceiling.http",
            targets=[Target("req_per_s", ">=", 0.5, of_ceiling=True)],
        ),
        Measurement("relay", "relay alone", {"events_per_s": relay}, headline="events_per_s"),
    ]


def test_the_median_round_is_kept_whole_with_every_rounds_figures_noted():
    rounds = [
        one_round(ceiling=2000, get=1000, relay=900),  # 50%: the host slow for the ceiling
        one_round(ceiling=5000, get=1000, relay=1500),  # 20%
        one_round(ceiling=4000, get=1200, relay=1200),  # 30%: the median
    ]
    kept = median_round(rounds)
    assert kept is rounds[2]
    ceiling, get, relay = kept
    assert ceiling.notes == [
        "round 3 of 3 (the median by its ratios); req_per_s in each round: 2,000, 5,000, 4,000"
    ]
    assert get.ratios == {"req_per_s": 0.3}
    assert get.notes == [
        "round 3 of 3 (the median by its ratios); req_per_s ratio in each round: 50%, 20%, 30%"
    ]
    assert relay.notes == [
        "round 3 of 3 (the median by its ratios); events_per_s in each round: 900, 1,500, 1,200"
    ]
    assert get.round_ratios == [0.5, 0.2, 0.3] and relay.round_ratios == []
    finish(kept)
    assert get.ratios == {"req_per_s": 0.3}  # against its own round's ceiling
    assert [v["met"] for v in get.verdicts] == [False]


def test_one_round_is_kept_as_it_is():
    only = one_round(ceiling=4000, get=2400, relay=1000)
    assert median_round([only]) is only
    assert only[1].ratios == {"req_per_s": 0.6}


def test_a_ceiling_pairs_with_what_follows_it_only():
    assert steps(["http_ceiling", "api", "celery_ceiling", "pipeline", "latency"]) == [
        ["http_ceiling", "api"],
        ["celery_ceiling", "pipeline"],
        ["latency"],
    ]
    assert steps(["api", "http_ceiling", "email"]) == [["api"], ["http_ceiling"], ["email"]]
    assert steps(["smtp_ceiling", "email", "soak"]) == [["smtp_ceiling", "email"], ["soak"]]


def test_the_table_shows_the_median_rounds_ratio_and_every_rounds_range():
    kept = median_round(
        [one_round(2000, 1000, 900), one_round(5000, 1000, 1500), one_round(4000, 1200, 1200)]
    )
    finish(kept)
    table = markdown(
        kept,
        {
            "machine": {"cpus": 2, "cpu": "test", "commit": "abc"},
            "started_at": "2026-12-03T07:00:00+00:00",
        },
    )
    row = next(line for line in table.splitlines() if "`api.get`" in line)
    assert "**30%** (req_per_s; 3 rounds: 20%-50%)" in row
