"""The confirmation measures more rounds while the judge finds them inconclusive, up to the
budget (issue 21), on the simulated machine: real Optuna, real storage, the real handlers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import optuna
import pytest

from autotune.study import load_confirmation, study_decision_of
from autotune.testing import SimulatedMachine
from tests.tuning.simulated import run


def busy_machine(sigma: float) -> SimulatedMachine:
    """A machine whose background load changes every 0.2 s by ``sigma`` (lognormal), f32 only
    and searched at batch 1, so the best tuned configs are as fast as the THROUGHPUT hint:
    on a busy machine the rounds cannot tell them apart."""
    return SimulatedMachine(
        cores=16,
        frame_ms=8,
        precision_speed={"f32": 1.0},
        busy_period_s=0.2,
        busy_sigma=sigma,
    )


def interleaved_calls(runner: Any) -> list[tuple[int, int]]:
    return [
        (c["rounds"], c["first_round"])
        for c in runner.calls
        if c["handler"] == "measure_interleaved"
    ]


def search(tmp_path: Path, sigma: float, **kw: Any) -> tuple[Any, Any]:
    return run(tmp_path, busy_machine(sigma), trials=8, max_latency_s=0.05, max_batch=1, **kw)


def test_inconclusive_rounds_are_extended_up_to_the_budget(tmp_path: Path) -> None:
    outcome, runner = search(tmp_path, 0.15)
    # 10 planned rounds, then 5 and 5 more, numbered on: the budget of 20 (the default)
    assert interleaved_calls(runner) == [(10, 0), (5, 10), (5, 15)]
    confirmation = outcome.confirmation
    assert confirmation is not None and confirmation.rounds == 20
    assert (confirmation.planned, confirmation.max_rounds) == (10, 20)
    for candidate in confirmation.candidates:
        assert sorted(w.index for w in candidate.windows) == list(range(20))
    decision = outcome.decision
    assert not decision.decisive and decision.winner is not None and decision.shipped_hint
    assert [look.rounds for look in decision.looks] == [10, 15, 20]
    assert [round(look.confidence, 3) for look in decision.looks] == [0.979, 0.993, 0.988]
    assert all(r.confidence == pytest.approx(0.9882, abs=1e-4) for r in decision.ratios.values())
    assert decision.rounds_note.startswith("10 + 5 + 5 rounds: ")
    assert "inconclusive at 10 and 15 rounds" in decision.rounds_note
    assert decision.rounds_note.endswith(
        "still inconclusive at 20 rounds, the budget (raise --max-rounds to measure more)"
    )
    # the stored rounds give the same decision wherever it is asked again
    study = optuna.load_study(study_name="sim", storage=f"sqlite:///{tmp_path}/s.db")
    assert load_confirmation(study) == confirmation
    again = study_decision_of(study)[-1]
    assert again.verdict == decision.verdict and again.rounds_note == decision.rounds_note


def test_a_budget_of_the_planned_rounds_adds_none(tmp_path: Path) -> None:
    outcome, runner = search(tmp_path, 0.15, max_rounds=10)
    assert interleaved_calls(runner) == [(10, 0)]
    decision = outcome.decision
    assert not decision.decisive and [look.rounds for look in decision.looks] == [10]
    assert decision.rounds_note.endswith(
        "inconclusive at 10 rounds, the budget (raise --max-rounds to measure more)"
    )


def test_rounds_that_decide_are_not_extended(tmp_path: Path) -> None:
    """On a quiet machine the same configs are proven tied with the hint at 10 rounds."""
    outcome, runner = search(tmp_path, 0.0)
    assert interleaved_calls(runner) == [(10, 0)]
    assert outcome.decision.decisive and outcome.decision.rounds_note == ""
    assert outcome.confirmation is not None and outcome.confirmation.rounds == 10
