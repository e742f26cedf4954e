"""A lower-is-better figure (single-stream: the p90 latency of the sync loop) from the judge's
rule to its words. Each case fails under the higher-is-better code: there the config with the
higher latency would lead, ship or pass validation."""

from __future__ import annotations

from autotune.core import MULTI_STREAM, OFFLINE, SERVER, SINGLE_STREAM
from autotune.judge import Limits, decide, figure_of, judge_validation
from autotune.measure import Window
from tests.builders import DRIFTING, contender, scaled

SINGLE = Limits(scenario=SINGLE_STREAM, percentile=90, max_drift=0.05, min_top1=0.99)
# the LATENCY hint's p90 per round, in ms, on a drifting machine
HINT_MS = [x / 10 for x in DRIFTING]
LOWER = scaled(HINT_MS, [0.90] * 10)  # 10 % lower latency in every round
HIGHER = scaled(HINT_MS, [1.10] * 10)
SAME = scaled(HINT_MS, [1.01, 0.99, 1.02, 0.98, 1.01, 1.0, 0.99, 1.01, 1.0, 0.99])


def _pair(tuned: list[float]) -> list:
    return [
        contender("tuned1", tuned, limits=SINGLE),
        contender("lat", HINT_MS, hint="LATENCY", limits=SINGLE),
    ]


def test_the_figure_and_its_direction_per_scenario() -> None:
    assert figure_of(OFFLINE, 90).direction == "maximize"
    assert figure_of(SERVER, 99).name == "sustainable rate"
    single = figure_of(SINGLE_STREAM, 90)
    assert (single.name, single.unit, single.direction) == ("p90 latency", "ms", "minimize")
    assert single.metric == "p90_latency_ms"
    assert figure_of(MULTI_STREAM, 99).direction == "maximize"  # the most sources held
    assert figure_of(MULTI_STREAM, 99, streams=4).name == "p99 latency"
    assert SINGLE.figure == single
    assert "minimize p90 latency" in Limits(scenario=SINGLE_STREAM).describe()


def test_a_proven_lower_latency_ships_the_tuned_config() -> None:
    """Higher-is-better code: a ratio of 0.90 is 'slower', so the hint ships."""
    d = decide(_pair(LOWER), SINGLE)
    assert d.winner is not None and d.winner.key == "tuned1" and d.significant
    assert d.ratios["LATENCY"].below_one and d.ratios["LATENCY"].high < 1
    assert d.verdict.startswith(
        "1.11× lower p90 latency than the LATENCY hint (p90 latency ratio 0.90, 97.9 % CI"
    )
    gain = d.gains["tuned1"]
    assert gain.short() == "1.11× lower"
    assert gain.to_dict()["direction"] == "minimize"


def test_a_proven_higher_latency_ships_the_hint() -> None:
    """Higher-is-better code: a ratio of 1.10 is 'faster', so the tuned config ships."""
    d = decide(_pair(HIGHER), SINGLE)
    assert d.winner is not None and d.winner.key == "lat" and d.shipped_hint
    assert not d.significant and d.decisive
    assert d.verdict == (
        "the LATENCY hint is the best configuration found: no tuned configuration beat it in "
        "the confirmation rounds"
    )


def test_a_proven_tie_goes_to_the_hint() -> None:
    d = decide(_pair(SAME), SINGLE)
    assert d.winner is not None and d.winner.key == "lat"
    assert d.tied == ("tuned1 (CPU)",)
    assert "within ±5 %" in d.verdict and "p90 latency" in d.verdict


def test_the_reference_hint_is_the_one_with_the_lower_latency() -> None:
    """Higher-is-better code picks the THROUGHPUT hint (the higher number) as the bar."""
    contenders = [
        contender("lat", HINT_MS, hint="LATENCY", limits=SINGLE),
        contender("tput", HIGHER, hint="THROUGHPUT", limits=SINGLE),
        contender("tuned1", scaled(HINT_MS, [0.95] * 10), limits=SINGLE),
    ]
    d = decide(contenders, SINGLE)
    assert d.reference_hint is not None and d.reference_hint.key == "lat"
    assert d.winner is not None and d.winner.key == "tuned1"
    # proven lower than both hints, quoted against the lower one
    assert d.verdict.startswith("1.05× lower p90 latency than the LATENCY hint")


def test_a_tuned_config_must_beat_every_feasible_hint() -> None:
    """Lower than the THROUGHPUT hint but not than the LATENCY hint: the LATENCY hint ships."""
    contenders = [
        contender("lat", HINT_MS, hint="LATENCY", limits=SINGLE),
        contender("tput", HIGHER, hint="THROUGHPUT", limits=SINGLE),
        contender("tuned1", SAME, limits=SINGLE),
    ]
    d = decide(contenders, SINGLE)
    assert d.winner is not None and d.winner.key == "lat"


def test_unconfirmed_the_lowest_search_latency_is_the_best_hint() -> None:
    contenders = [
        contender("lat", HINT_MS, hint="LATENCY", limits=SINGLE, confirmed=False),
        contender("tput", HIGHER, hint="THROUGHPUT", limits=SINGLE, confirmed=False),
        contender("tuned1", LOWER, limits=SINGLE, confirmed=False),
    ]
    d = decide(contenders, SINGLE)
    assert d.winner is not None and d.winner.key == "lat" and not d.confirmed
    assert "(tuned1 (CPU), 1.11× lower in the search)" in d.verdict


def _windows(p90s: list[float]) -> list[Window]:
    return [
        Window(
            i, 200, 200, 0.5, 1e3 / v, {"p50": v * 0.8, "p90": v, "p99": v * 1.3}, 0, 0, 1, False
        )
        for i, v in enumerate(p90s)
    ]


def test_validate_fails_a_config_whose_latency_is_now_proven_higher() -> None:
    """Higher-is-better code reads the higher latency as a higher figure and passes it."""
    hints = {"LATENCY": _windows(HINT_MS)}
    bad = judge_validation("tuned", None, _windows(HIGHER), hints, SINGLE)
    assert not bad.beats_hints and not bad.ok
    assert "p90 latency is now higher than the LATENCY hint's" in bad.verdict
    good = judge_validation("tuned", None, _windows(LOWER), hints, SINGLE)
    assert good.ok and "1.11× lower p90 latency than the LATENCY hint" in good.verdict
    assert good.to_dict()["direction"] == "minimize" and good.unit == "ms"
