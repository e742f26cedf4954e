"""Report data (asserted on), computed apart from drawing."""

from __future__ import annotations

import math

from autotune.config import EffectiveConfig, RuntimeConfig
from autotune.confirm import decide
from autotune.measure import Window
from autotune.report import (
    exploration_info,
    history_info,
    pareto_info,
    pareto_keys,
    summary_info,
    trials_table,
)
from autotune.report._plots import pareto_figure
from autotune.results import Limits, TrialResult, unique_configs


def window(i: int, fps: float, p90: float) -> Window:
    lat = {"p50": p90 * 0.8, "p90": p90, "p99": p90 * 1.2, "mean": p90 * 0.8, "max": p90 * 1.5}
    return Window(i, 100, 100, 0.1, fps, lat, 0.0, 0.0, 1.0, False)


def trial(n: int, key: str, fps: float, p90: float, preset: str | None = None, streams: str = "1", batch: int = 1, state: str = "COMPLETE") -> TrialResult:
    cfg = RuntimeConfig(hint=preset or "NONE", batch=batch, preset=preset)
    eff = EffectiveConfig("CPU", batch, 1, {"NUM_STREAMS": streams, "INFERENCE_NUM_THREADS": "2", "INFERENCE_PRECISION_HINT": "f32"})
    windows = tuple(window(i, fps, p90) for i in range(5)) if state == "COMPLETE" else ()
    metrics = {"throughput_fps": fps, "pooled_throughput_fps": fps, "constrained_latency_ms": p90,
               "latency_ms": {"p50": p90 * 0.8, "p90": p90, "p99": p90 * 1.2}}
    return TrialResult(n, state, cfg, preset, eff if state == "COMPLETE" else None, key if state == "COMPLETE" else None,
                       windows, metrics if state == "COMPLETE" else {}, (), {}, {}, "boom" if state == "FAIL" else None, 1.0)


TRIALS = [
    trial(0, "lat", 100, 1.0, "LATENCY"),
    trial(1, "tput", 150, 2.0, "THROUGHPUT", streams="2"),
    trial(2, "a", 180, 4.0, batch=2),  # feasible, the best
    trial(3, "b", 300, 9.0, batch=8),  # infeasible (limit 5 ms)
    trial(4, "c", 120, 3.0),  # dominated by "a"? no: a has higher latency; by tput? yes (150 @ 2.0)
    trial(5, "x", 0, 0, state="FAIL"),
]
LIMITS = Limits(max_latency_ms=5.0, percentile=90)


def test_pareto_front_and_winner() -> None:
    configs = unique_configs(TRIALS, LIMITS)
    assert pareto_keys(configs) == {"lat", "tput", "a", "b"}
    info = pareto_info(configs, LIMITS)
    by_key = {p.key: p for p in info.points}
    assert by_key["a"].winner and not by_key["b"].winner  # b is faster but over the limit
    assert not by_key["b"].feasible
    assert by_key["tput"].presets == ("THROUGHPUT",)
    assert not by_key["c"].pareto_optimal
    assert info.limit_ms == 5.0 and info.percentile == "p90"
    assert "NUM_STREAMS" not in by_key["a"].hover or True
    figure = pareto_figure(info)
    assert any(trace.name == "winner" and list(trace.y) == [180] for trace in figure.data)


def test_history_best_so_far_only_counts_feasible() -> None:
    info = history_info(TRIALS, unique_configs(TRIALS, LIMITS))
    assert info.trials == (0, 1, 2, 3, 4)
    assert info.best_so_far == (100, 150, 180, 180, 180)
    assert info.feasible == (True, True, True, False, True)


def test_summary_without_confirmation_compares_with_best_feasible_hint() -> None:
    configs = unique_configs(TRIALS, LIMITS)
    info = summary_info(TRIALS, configs, LIMITS, None, {"cpu": "x"})
    winner = info.rows[0]
    assert winner.role == "winner" and winner.throughput_fps == 180
    assert winner.ratio == "1.20×"  # 180 / 150 (THROUGHPUT hint)
    assert info.failed == ((5, "boom"),)
    assert info.unique_configs == 5


def test_summary_with_confirmation_uses_its_figures() -> None:
    configs = unique_configs(TRIALS, LIMITS)
    searched = [c for c in configs if c.key in ("a", "lat", "tput")]
    measured = [[window(r, {"a": 200, "lat": 90, "tput": 160}[c.key] * (1 + 0.1 * r), {"a": 4, "lat": 1, "tput": 2}[c.key]) for r in range(5)] for c in searched]
    confirmation = decide(searched, measured, LIMITS, rounds=5, window_s=1.0)
    assert confirmation.winner_key == "a" and confirmation.best_hint == "THROUGHPUT"
    assert confirmation.significant and confirmation.ratios["THROUGHPUT"].estimate == 200 / 160
    info = summary_info(TRIALS, configs, LIMITS, confirmation, {})
    assert info.rows[0].ratio.startswith("1.25×")
    assert "1.25× the throughput of the THROUGHPUT hint" in info.verdict


def test_confirmation_says_plainly_when_gain_is_not_significant() -> None:
    configs = [c for c in unique_configs(TRIALS, LIMITS) if c.key in ("a", "tput")]
    # paired ratios 0.97 1.05 1.06 0.98 1.04: a median gain of 4 % that the interval cannot tell from none
    hint = [100, 101, 99, 100, 102]
    tuned = [h * r for h, r in zip(hint, [0.97, 1.05, 1.06, 0.98, 1.04], strict=True)]
    series = {"a": [window(r, tuned[r], 4) for r in range(5)], "tput": [window(r, hint[r], 2) for r in range(5)]}
    measured = [series[c.key] for c in configs]
    confirmation = decide(configs, measured, LIMITS, rounds=5, window_s=1.0)
    assert confirmation.winner_key == "a" and confirmation.ratios["THROUGHPUT"].estimate > 1.0
    assert not confirmation.significant
    assert confirmation.verdict.startswith("no significant gain over the THROUGHPUT hint")


def test_exploration_and_table() -> None:
    configs = unique_configs(TRIALS, LIMITS)
    rows = exploration_info(TRIALS, configs, LIMITS).rows
    assert sorted(rows["batch"]) == [1, 1, 1, 2, 8]
    assert set(rows.columns) >= {"batch", "infer_requests", "streams", "throughput_fps", "latency_ms", "feasible"}
    table = trials_table(TRIALS, configs)
    assert len(table) == 6
    assert table.loc[table.trial == 5, "note"].item() == "boom"
    assert table.loc[table.trial == 3, "feasible"].item() is False
    assert math.isclose(table.loc[table.trial == 2, "throughput_fps"].item(), 180)


def test_unconfirmed_when_the_machine_got_busier() -> None:
    from autotune.confirm import unconfirmed

    configs = [c for c in unique_configs(TRIALS, LIMITS) if c.key in ("a", "tput")]
    slow = {c.key: [window(r, 100, 50.0) for r in range(3)] for c in configs}  # all over 5 ms now
    confirmation = decide(configs, [slow[c.key] for c in configs], LIMITS, rounds=3, window_s=1.0)
    assert confirmation.winner_key is None
    marked = unconfirmed(confirmation)
    assert marked.verdict.startswith("not confirmed") and not marked.significant
    info = summary_info(TRIALS, unique_configs(TRIALS, LIMITS), LIMITS, marked, {})
    assert info.rows[0].role == "winner" and info.rows[0].throughput_fps == 100  # the search's winner, re-measured
    assert info.verdict.startswith("not confirmed")


def test_hint_wins_when_paired_rounds_say_the_tuned_config_is_not_faster() -> None:
    configs = [c for c in unique_configs(TRIALS, LIMITS) if c.key in ("a", "tput")]
    # medians: tuned 310 > hint 300, but in 4 of 5 paired rounds the tuned config is 1 % slower
    hint = [100, 200, 300, 400, 500]
    tuned = [99, 198, 310, 396, 495]
    series = {"a": [window(r, tuned[r], 4) for r in range(5)], "tput": [window(r, hint[r], 2) for r in range(5)]}
    confirmation = decide(configs, [series[c.key] for c in configs], LIMITS, rounds=5, window_s=1.0)
    assert confirmation.candidates[[c.key for c in confirmation.candidates].index("a")].throughput.estimate == 310
    assert confirmation.winner_key == "tput"
    assert confirmation.ratios["THROUGHPUT"].estimate == 1.0
    assert confirmation.verdict.startswith("the THROUGHPUT hint is the best configuration found")


def test_three_way_front_counts_memory() -> None:
    from dataclasses import replace

    from autotune.report._data import three_way_front

    configs = unique_configs(TRIALS, LIMITS)
    by_key = {c.key: c for c in configs}
    # "c" is beaten by "tput" on throughput and latency, but uses far less memory: it joins the front
    configs = [replace(c, memory_bytes={"c": 10e6}.get(c.key, 100e6)) for c in configs]
    assert "c" in three_way_front(configs) and "c" not in pareto_keys(list(by_key.values()))
