"""Search logic against a simulated many-core CPU (fake backend, real Optuna, real storage)."""

from __future__ import annotations

from pathlib import Path

import optuna
import pytest

from autotune.facts import InputInfo, ModelInfo
from autotune.plan import SearchPlan, SearchSettings
from autotune.results import Limits, best_config, load_trials, preset_results, unique_configs
from autotune.simulate import SimulatedMachine, SimulatedRunner
from autotune.space import build_space
from autotune.tuner import run_search


def make_plan(tmp_path: Path, machine: SimulatedMachine, settings: SearchSettings) -> SearchPlan:
    model = ModelInfo(path=str(tmp_path / "sim.xml"), inputs=(InputInfo("x", "[?,3,8,8]", "f32", (1, 3, 8, 8)),),
                      outputs=("y",), shape=None, batch=1, batch_reshapable=True, sha256="sim")
    space = build_space(["CPU"], machine.capabilities(), model, settings.max_batch)
    limits = Limits(max_latency_ms=settings.max_latency_s * 1e3 if settings.max_latency_s else None, percentile=settings.percentile, max_drift=settings.max_drift)
    env = {"cpu": "sim", "logical_cpus": machine.cores, "openvino": "sim", "devices": {"CPU": "sim"}}
    return SearchPlan(settings, model, space, limits, settings.study_name or "sim", tmp_path / "out", env)


def run(tmp_path: Path, machine: SimulatedMachine, trial_time_s: float = 0.5, **kw: object):
    kw = {"max_drift": None, "analyse": False, **kw}  # the simulation has no outputs to compare
    settings = SearchSettings(model_path="sim.xml", storage=f"sqlite:///{tmp_path}/s.db", study_name="sim", seed=1, trial_time_s=trial_time_s, **kw)  # type: ignore[arg-type]
    runner = SimulatedRunner(machine, seed=2)
    outcome = run_search(settings, plan=make_plan(tmp_path, machine, settings), runner=runner)
    return outcome, runner


def test_presets_run_first_and_constraints_are_recorded(tmp_path: Path) -> None:
    machine = SimulatedMachine(cores=16, frame_ms=8)
    outcome, runner = run(tmp_path, machine, trials=12, max_latency_s=0.004)
    first = [c for c in runner.calls if c["handler"] == "measure_config"][:2]
    assert [c["config"]["preset"] for c in first] == ["LATENCY", "THROUGHPUT"]
    study = optuna.load_study(study_name="sim", storage=f"sqlite:///{tmp_path}/s.db")
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert len(complete) == 12
    for t in complete:
        assert "latency" in t.constraints  # infeasible trials are kept and teach the sampler
        feasible = t.constraints["latency"] <= 0
        assert feasible == (t.user_attrs["metrics"]["pooled_constrained_latency_ms"] <= 4.0)
    assert any(t.constraints["latency"] > 0 for t in complete)
    assert outcome.best is not None and outcome.best.feasible
    assert outcome.best.constrained_latency_ms <= 4.0


def test_tuned_config_beats_or_matches_best_feasible_hint(tmp_path: Path) -> None:
    machine = SimulatedMachine(cores=16, frame_ms=8)
    outcome, _ = run(tmp_path, machine, trials=20, max_latency_s=0.006)
    hints = preset_results(outcome.configs)
    feasible_hints = [c.throughput_fps for c in hints.values() if c.feasible]
    assert outcome.best.throughput_fps >= max(feasible_hints)
    assert outcome.confirmation is not None
    winner = outcome.confirmation.winner
    assert winner is not None and winner.feasible
    # every confirmation candidate was measured in every round
    assert all(len(c.windows) == outcome.confirmation.rounds for c in outcome.confirmation.candidates)


def test_same_effective_config_is_pooled_not_remeasured_in_full(tmp_path: Path) -> None:
    machine = SimulatedMachine(cores=4, frame_ms=5)
    outcome, runner = run(tmp_path, machine, trials=25, trial_time_s=2.0)
    trials = load_trials(optuna.load_study(study_name="sim", storage=f"sqlite:///{tmp_path}/s.db"))
    keys = [t.key for t in trials if t.complete]
    assert len(set(keys)) < len(keys), "a 4-core space of 25 trials must repeat some effective config"
    configs = unique_configs(trials, Limits())
    for config in configs:
        members = [t for t in trials if t.key == config.key]
        assert len(config.windows) == sum(len(t.windows) for t in members)
    repeats = [t for t in trials if t.complete and t.metrics["pooled_windows"] > len(t.windows)]
    assert repeats
    first_of = {}
    for t in trials:
        if t.complete:
            first_of.setdefault(t.key, t)
    for t in repeats:
        original = first_of[t.key]
        assert t.number > original.number
        # a repeat pays a short measurement (30 % of --trial-time) and reports the pooled value
        assert t.metrics["measured_s"] < 0.6 * original.metrics["measured_s"]
        assert t.metrics["pooled_windows"] >= len(original.windows) + len(t.windows)


def test_resume_continues_to_the_target(tmp_path: Path) -> None:
    machine = SimulatedMachine(cores=8, frame_ms=4)
    run(tmp_path, machine, trials=6, confirm_top=0)
    outcome, runner = run(tmp_path, machine, trials=9, confirm_top=0)
    study = optuna.load_study(study_name="sim", storage=f"sqlite:///{tmp_path}/s.db")
    assert len([t for t in study.trials if t.state.name == "COMPLETE"]) == 9
    assert outcome.new_trials == 3
    assert all(c["config"]["preset"] is None for c in runner.calls)  # presets were not re-run


def test_impossible_limit_has_no_best_and_a_closest(tmp_path: Path) -> None:
    from autotune.export import no_feasible_error

    machine = SimulatedMachine(cores=8, frame_ms=4)
    outcome, _ = run(tmp_path, machine, trials=5, max_latency_s=1e-5)
    assert outcome.best is None and not outcome.feasible
    error = no_feasible_error(outcome.configs, outcome.limits)
    assert "closest is trial #" in error.one_line()
    assert error.exit_code == 3


@pytest.mark.parametrize("objective", ["pareto"])
def test_pareto_mode_returns_three_objectives(tmp_path: Path, objective: str) -> None:
    machine = SimulatedMachine(cores=8, frame_ms=4)
    run(tmp_path, machine, trials=6, objective=objective)
    study = optuna.load_study(study_name="sim", storage=f"sqlite:///{tmp_path}/s.db")
    assert len(study.directions) == 3
    assert all(len(t.values) == 3 for t in study.trials if t.state.name == "COMPLETE")
    assert best_config(unique_configs(load_trials(study), Limits())) is not None
