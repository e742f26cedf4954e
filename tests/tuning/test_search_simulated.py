"""Search logic against a simulated many-core CPU (fake backend, real Optuna, real storage)."""

from __future__ import annotations

from pathlib import Path

import optuna
import pytest

from autotune.judge import Limits, paired_ratio
from autotune.study import best_by_search, load_trials, measured_trials, unique_configs
from autotune.testing import SimulatedMachine
from tests.tuning.simulated import run


def test_presets_run_first_and_constraints_are_recorded(tmp_path: Path) -> None:
    machine = SimulatedMachine(cores=16, frame_ms=8)
    outcome, runner = run(tmp_path, machine, trials=12, max_latency_s=0.004)
    first = [c for c in runner.calls if c["handler"] == "measure_config"][:2]
    assert [c["config"]["preset"] for c in first] == ["LATENCY", "THROUGHPUT"]
    study = optuna.load_study(study_name="sim", storage=f"sqlite:///{tmp_path}/s.db")
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert len(measured_trials(study)) == 12  # duplicates complete too, but do not count
    for t in complete:
        assert "latency" in t.constraints  # infeasible trials are kept and teach the sampler
        feasible = t.constraints["latency"] <= 0
        assert feasible == (t.user_attrs["metrics"]["constrained_latency_ms"] <= 4.0)
    assert any(t.constraints["latency"] > 0 for t in complete)
    assert outcome.winner is not None and outcome.winner.feasible
    assert outcome.winner.constrained_latency_ms <= 4.0


def test_shipped_config_is_proven_or_is_the_hint(tmp_path: Path) -> None:
    machine = SimulatedMachine(cores=16, frame_ms=8)
    outcome, _ = run(tmp_path, machine, trials=20, max_latency_s=0.006)
    decision = outcome.decision
    winner = outcome.winner
    assert decision.confirmed and winner is not None and winner.feasible
    # the rule, checked from the rounds: a tuned config ships exactly when one is proven faster
    # than every feasible hint, and then it is one of those
    hints = [c for c in decision.contenders if c.is_baseline and c.feasible and c.rounds]
    proven = [
        t
        for t in decision.contenders
        if not t.is_hint
        and t.feasible
        and t.rounds
        and all(paired_ratio(t.rounds, h.rounds, decision.confidence).above_one for h in hints)
    ]
    assert hints and proven, "16 simulated cores: a tuned config beats the hints"
    assert not winner.is_hint and decision.significant and winner in proven
    gain = decision.gain
    assert gain is not None and gain.interval is not None and gain.interval.above_one
    # every confirmation candidate was measured in every round
    assert outcome.confirmation is not None
    assert all(
        len(c.windows) == outcome.confirmation.rounds for c in outcome.confirmation.candidates
    )
    # the winner's figure is its confirmed median, not the search figure
    assert outcome.winner.confirmed and len(outcome.winner.rounds) == outcome.confirmation.rounds


def test_a_known_effective_config_is_not_measured_again(tmp_path: Path) -> None:
    machine = SimulatedMachine(cores=4, frame_ms=5)
    outcome, runner = run(tmp_path, machine, trials=12, trial_time_s=0.5)
    trials = load_trials(optuna.load_study(study_name="sim", storage=f"sqlite:///{tmp_path}/s.db"))
    measured = [t for t in trials if t.measured]
    duplicates = [t for t in trials if t.complete and t.duplicate_of is not None]
    assert len(measured) == 12  # --trials counts measured configurations only
    assert len({t.key for t in measured}) == len(measured)  # each one a distinct config
    assert duplicates, "a 4-core space of 12 configs must propose some effective config twice"
    first_of = {t.key: t for t in measured}
    configs = {c.key: c for c in unique_configs(trials, Limits())}
    for t in duplicates:
        original = first_of[t.key]
        assert t.duplicate_of == original.number and not t.windows
        assert t.metrics["throughput_fps"] == configs[t.key].throughput_fps  # the earlier figure
        assert t.number in configs[t.key].trials


def test_resume_continues_to_the_target(tmp_path: Path) -> None:
    machine = SimulatedMachine(cores=8, frame_ms=4)
    run(tmp_path, machine, trials=6, confirm_top=0)
    outcome, runner = run(tmp_path, machine, trials=9, confirm_top=0)
    study = optuna.load_study(study_name="sim", storage=f"sqlite:///{tmp_path}/s.db")
    assert len(measured_trials(study)) == 9
    assert outcome.new_trials == 3
    assert all(c["config"]["preset"] is None for c in runner.calls)  # presets were not re-run


def test_impossible_limit_has_no_best_and_a_closest(tmp_path: Path) -> None:
    from autotune.deploy import no_feasible_error

    machine = SimulatedMachine(cores=8, frame_ms=4)
    outcome, _ = run(tmp_path, machine, trials=5, max_latency_s=1e-5)
    assert outcome.winner is None and not outcome.feasible
    error = no_feasible_error(outcome.decision)
    text = error.one_line()
    assert "the LATENCY hint in f32 takes" in text and "closest tuned config (trial #" in text
    assert "--max-latency" in text
    assert error.exit_code == 3


@pytest.mark.parametrize("objective", ["pareto"])
def test_pareto_mode_returns_three_objectives(tmp_path: Path, objective: str) -> None:
    machine = SimulatedMachine(cores=8, frame_ms=4)
    run(tmp_path, machine, trials=6, objective=objective)
    study = optuna.load_study(study_name="sim", storage=f"sqlite:///{tmp_path}/s.db")
    assert study.directions == [
        optuna.study.StudyDirection.MAXIMIZE,  # throughput
        optuna.study.StudyDirection.MINIMIZE,  # the constrained latency
        optuna.study.StudyDirection.MINIMIZE,  # memory
    ]
    complete = [t for t in study.trials if t.state.name == "COMPLETE"]
    assert complete
    for t in complete:
        metrics = t.user_attrs["metrics"]
        assert t.values[:2] == [metrics["throughput_fps"], metrics["constrained_latency_ms"]]
        if "memory" in t.user_attrs:  # measured (a duplicate takes the first one's)
            peak = t.user_attrs["memory"].get("peak_delta_bytes") or 0
            assert t.values[2] == pytest.approx(peak / 1e6)
    assert best_by_search(unique_configs(load_trials(study), Limits())) is not None
