"""Report data (asserted on), computed apart from drawing."""

from __future__ import annotations

import math

import pytest

from autotune.judge import Limits, ProofPlan, prove_rate
from autotune.measure import LoadPoint
from autotune.report import (
    exploration_info,
    history_info,
    load_curve_info,
    pareto_figure,
    pareto_info,
    pareto_keys,
    summary_info,
    three_way_front,
    trials_table,
)
from autotune.study import study_decision, unique_configs
from tests.builders import confirmation, trial

TRIALS = [
    trial(0, "lat", 100, 1.0, "LATENCY"),
    trial(1, "tput", 150, 2.0, "THROUGHPUT", streams="2"),
    trial(2, "a", 180, 4.0, batch=2),  # feasible, the best
    trial(3, "b", 300, 9.0, batch=8),  # infeasible (limit 5 ms)
    trial(
        4, "c", 120, 3.0
    ),  # dominated by "a"? no: a has higher latency; by tput? yes (150 @ 2.0)
    trial(5, "x", 0, 0, state="FAIL"),
]
LIMITS = Limits(max_latency_ms=5.0, percentile=90)


def test_pareto_front_and_winner() -> None:
    configs = unique_configs(TRIALS, LIMITS)
    assert pareto_keys(configs) == {"lat", "tput", "a", "b"}
    rounds = {
        "a": [200 + r for r in range(10)],
        "tput": [150 + r for r in range(10)],
        "lat": [100] * 10,
    }
    decision = study_decision(
        configs, confirmation(configs, rounds, {"a": 4, "tput": 2, "lat": 1}), LIMITS
    )
    info = pareto_info(configs, LIMITS, decision)
    by_key = {p.key: p for p in info.points}
    assert by_key["a"].winner and not by_key["b"].winner  # b is faster but over the limit
    assert not by_key["b"].feasible
    assert by_key["tput"].presets == ("THROUGHPUT",)
    assert not by_key["c"].pareto_optimal
    assert info.limit_ms == 5.0 and info.percentile == "p90"
    assert (
        "INFERENCE_PRECISION_HINT" not in by_key["a"].hover
    )  # a hint-only request sets no precision
    figure = pareto_figure(info)
    assert any(
        trace.name == "winner" and list(trace.y) == [180] for trace in figure.data
    )  # search figure


def test_history_best_so_far_only_counts_feasible() -> None:
    info = history_info(TRIALS, unique_configs(TRIALS, LIMITS))
    assert info.trials == (0, 1, 2, 3, 4)
    assert info.best_so_far == (100, 150, 180, 180, 180)
    assert info.feasible == (True, True, True, False, True)


def test_summary_without_confirmation_ships_the_hint() -> None:
    configs = unique_configs(TRIALS, LIMITS)
    decision = study_decision(configs, None, LIMITS)
    info = summary_info(TRIALS, configs, LIMITS, decision, {"cpu": "x"})
    winner = info.rows[0]
    assert winner.role == "winner = THROUGHPUT hint" and winner.throughput_fps == 150
    assert winner.source == "search"
    assert "was not confirmed" in info.verdict and "1.20× in the search" in info.verdict
    assert info.failed == ((5, "boom"),)
    assert info.unique_configs == 5
    # every row of "× hint" has a figure: each config ÷ the reference hint, by the judge
    assert info.reference == "THROUGHPUT hint" and all(r.gain is not None for r in info.rows)
    assert winner.ratio_text == "1.00× (itself)"
    latency = next(r for r in info.rows if r.role == "LATENCY hint")
    assert latency.ratio_text == f"{100 / 150:.2f}× (search figures)"
    assert latency.ratio is not None and latency.ratio["source"] == "search figures"
    assert set(decision.gains) == {c.key for c in decision.contenders}  # one per config


def test_without_a_feasible_hint_the_ratio_column_has_nothing_to_say() -> None:
    from autotune.cli._console import summary_table

    trials = [
        trial(0, "lat", 100, 6.0, "LATENCY"),
        trial(1, "tput", 150, 8.0, "THROUGHPUT", streams="2"),
        trial(2, "a", 180, 4.0, batch=2),  # the only config under 5 ms
    ]
    configs = unique_configs(trials, LIMITS)
    decision = study_decision(configs, None, LIMITS)
    info = summary_info(trials, configs, LIMITS, decision, {})
    assert decision.winner is not None and decision.winner.key == "a"
    assert decision.reference_hint is None and info.reference == ""
    assert all(r.gain is None for r in info.rows)
    assert "× hint" not in [c.header for c in summary_table(info).columns]


def test_compare_needs_two_studies() -> None:
    from autotune.core import BadInputError
    from autotune.report import compare_info

    with pytest.raises(BadInputError, match="at least two"):
        compare_info([])


def test_one_figure_per_config_the_confirmed_one() -> None:
    configs = unique_configs(TRIALS, LIMITS)
    rounds = {
        "a": [200 * (1 + 0.01 * r) for r in range(10)],
        "tput": [160 * (1 + 0.01 * r) for r in range(10)],
        "lat": [90] * 10,
    }
    decision = study_decision(
        configs, confirmation(configs, rounds, {"a": 4, "tput": 2, "lat": 1}), LIMITS
    )
    assert decision.winner is not None and decision.winner.key == "a" and decision.significant
    assert decision.ratios["THROUGHPUT"].estimate == pytest.approx(200 / 160)
    info = summary_info(TRIALS, configs, LIMITS, decision, {})
    row = info.rows[0]
    assert row.role == "winner" and row.source == "confirmed"
    assert row.throughput_fps == pytest.approx(
        decision.winner.throughput.estimate
    )  # not the search's 180
    assert row.ratio is not None and row.ratio["estimate"] == pytest.approx(1.25)
    assert row.ratio["low"] <= 1.25 <= row.ratio["high"] and row.ratio_text.startswith("1.25× [")
    assert info.verdict.startswith("1.25× the throughput of the THROUGHPUT hint (97.9 % CI")
    assert "10 interleaved rounds" in info.confirmation


def test_exploration_and_table() -> None:
    configs = unique_configs(TRIALS, LIMITS)
    rows = exploration_info(TRIALS, configs).rows
    assert sorted(rows["batch"]) == [1, 1, 1, 2, 8]
    assert set(rows.columns) >= {
        "batch",
        "infer_requests",
        "streams",
        "throughput_fps",
        "latency_ms",
        "feasible",
    }
    table = trials_table(TRIALS, configs)
    assert len(table) == 6
    assert table.loc[table.trial == 5, "note"].item() == "boom"
    assert table.loc[table.trial == 3, "feasible"].item() is False
    assert math.isclose(table.loc[table.trial == 2, "search FPS"].item(), 180)


def test_the_search_decides_when_the_machine_got_busier() -> None:
    configs = unique_configs(TRIALS, LIMITS)
    slow = {"a": [100.0] * 5, "tput": [90.0] * 5}
    busy = confirmation(configs, slow, {"a": 50.0, "tput": 50.0})  # every candidate over 5 ms now
    decision = study_decision(configs, busy, LIMITS)
    assert not decision.confirmed and decision.winner is not None
    assert (
        decision.winner.key == "tput" and not decision.winner.confirmed
    )  # the search's best hint
    info = summary_info(TRIALS, configs, LIMITS, decision, {})
    assert info.confirmation.startswith("not confirmed")


def test_three_way_front_counts_memory() -> None:
    from dataclasses import replace

    configs = unique_configs(TRIALS, LIMITS)
    by_key = {c.key: c for c in configs}
    # "c" is beaten by "tput" on throughput and latency, but uses far less memory: it joins the front
    configs = [replace(c, memory_bytes={"c": 10e6}.get(c.key, 100e6)) for c in configs]
    assert "c" in three_way_front(configs) and "c" not in pareto_keys(list(by_key.values()))


# The hints of issue 21: THROUGHPUT with two bad rounds (3 and 7), LATENCY at 0.73× it.
TPUT_ROUNDS = [416.0, 421.0, 412.0, 262.0, 418.0, 430.0, 415.0, 245.0, 419.0, 414.0]
LAT_SHARE = [0.72, 0.65, 0.75, 1.084, 0.71, 0.62, 0.748, 1.15, 0.70, 0.76]


def test_each_rounds_ratio_shows_the_bad_rounds() -> None:
    configs = unique_configs(TRIALS, LIMITS)
    rounds = {
        "tput": TPUT_ROUNDS,
        "lat": [t * s for t, s in zip(TPUT_ROUNDS, LAT_SHARE, strict=True)],
        "a": [t * 0.9 for t in TPUT_ROUNDS],
    }
    decision = study_decision(
        configs, confirmation(configs, rounds, {"a": 4, "tput": 2, "lat": 1}), LIMITS
    )
    assert decision.winner is not None and decision.winner.key == "tput"
    info = summary_info(TRIALS, configs, LIMITS, decision, {})
    (lat,) = info.round_ratios  # the winner against itself is left out
    assert (lat.hint, lat.label) == ("LATENCY", "LATENCY hint") and lat.estimate == pytest.approx(
        1 / 0.734, abs=0.01
    )
    assert lat.against == (3, 7)
    assert lat.ratios[3] == pytest.approx(1 / 1.084)
    assert "ties need the ratio proven within ±5 %" in info.confirmation
    assert "paired ratios at 97.9 %" in info.confirmation


def test_the_summary_says_how_many_rounds_ran_and_why() -> None:
    from dataclasses import replace

    configs = unique_configs(TRIALS, LIMITS)
    steady = [417.0, 420.0, 415.0, 422.0, 418.0]
    tput = TPUT_ROUNDS + steady
    rounds = {
        "tput": tput,
        "lat": [t * s for t, s in zip(tput, LAT_SHARE + [0.73] * 5, strict=True)],
        "a": [t * 0.9 for t in tput],
    }
    stored = confirmation(configs, rounds, {"a": 4, "tput": 2, "lat": 1})
    stored = replace(stored, planned=10, max_rounds=20)
    decision = study_decision(configs, stored, LIMITS)
    assert decision.decisive and [look.rounds for look in decision.looks] == [10, 15]
    info = summary_info(TRIALS, configs, LIMITS, decision, {})
    assert info.confirmation.startswith(
        "confirmed over 15 interleaved rounds; 10 + 5 rounds: THROUGHPUT hint vs LATENCY hint "
        "was inconclusive at 10 rounds; decided at 15 (99.3 %); paired ratios at 99.3 %, the "
        "last of 2 looks sharing a 5 % error budget"
    )
    assert decision.verdict.startswith("the THROUGHPUT hint is the best configuration found")


def _point(rate: float, p99: float, arrivals: int = 200) -> dict:
    return {
        "offered_rate": rate,
        "achieved_rate": rate,
        "requests": arrivals,
        "completed": arrivals,
        "dropped": 0,
        "wall_s": arrivals / rate,
        "latency_ms": {"p50": p99 / 3, "p99": p99},
        "wait_ms": {},
        "lateness_ms": 0.0,
        "overloaded": False,
    }


def test_the_hockey_stick_keeps_the_proof_apart_from_exploration() -> None:
    """The curve's points are exploratory; the proof's looks come with their arrivals and
    verdicts, and the stated rate says whether it was proven."""
    plan = ProofPlan(percent=99, limit_ms=20.0)
    looks = [
        LoadPoint.from_dict({**_point(100.0, 24.0, 826), "over": 60, "over_sq": 60}),
        LoadPoint.from_dict({**_point(80.0, 12.0, 826), "over": 0}),
    ]
    claim = prove_rate(looks, 100.0, plan, capped=True)
    assert claim.proven and claim.rate == 80.0
    record = {
        "percentile": 99.0,
        "limit_ms": 20.0,
        "curves": [
            {
                "key": "w",
                "label": "LATENCY hint",
                "hint": True,
                "sustainable_rate": claim.rate,
                "capacity_fps": 150.0,
                "points": [_point(r, 5 + r / 10) for r in (20.0, 40.0, 80.0, 100.0)],
                "claim": claim.to_dict(),
            },
            {
                "key": "h",
                "label": "THROUGHPUT hint",
                "hint": True,
                "sustainable_rate": 90.0,
                "capacity_fps": 160.0,
                "points": [_point(r, 5 + r / 10) for r in (20.0, 90.0)],
            },
        ],
    }
    info = load_curve_info(record, "w")
    assert info is not None
    proven, unproven = info.curves
    assert proven.role == "winner = hint" and proven.proven is True
    assert [(m.rate, m.arrivals, m.over, m.verdict) for m in proven.proof] == [
        (100.0, 826, 60, "refuted"),
        (80.0, 826, 0, "holds"),
    ]
    assert proven.rates == (20.0, 40.0, 80.0, 100.0)  # exploratory points, as measured
    assert "p99 ≤ 20 ms at 80 req/s: 826 arrivals, 0 over the limit" in proven.claim_text
    assert unproven.proven is None and unproven.proof == ()
