"""Searches on the simulated machine: real Optuna, real storage, the real handlers (only
OpenVINO replaced)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from autotune.testing import SimulatedMachine, SimulatedRunner, simulated_model
from autotune.tuning import (
    SearchOutcome,
    SearchPlan,
    SearchSettings,
    build_space,
    limits_for,
    run_search,
)


def make_plan(tmp_path: Path, machine: SimulatedMachine, settings: SearchSettings) -> SearchPlan:
    model = simulated_model(str(tmp_path / "sim.xml"))
    space = build_space(
        ["CPU"], machine.capabilities(), model, settings.max_batch, scenario=settings.scenario
    )
    limits = limits_for(settings)
    env = {
        "cpu": "sim",
        "logical_cpus": machine.cores,
        "openvino": "sim",
        "devices": {"CPU": "sim"},
    }
    return SearchPlan(
        settings, model, space, limits, settings.study_name or "sim", tmp_path / "out", env
    )


def run(
    tmp_path: Path, machine: SimulatedMachine, trial_time_s: float = 0.5, **kw: Any
) -> tuple[SearchOutcome, SimulatedRunner]:
    # the simulation has no outputs to compare
    kw = {"max_drift": None, "min_top1": None, "analyse": False, **kw}
    settings = SearchSettings(
        model_path="sim.xml",
        storage=f"sqlite:///{tmp_path}/s.db",
        study_name="sim",
        seed=1,
        trial_time_s=trial_time_s,
        **kw,
    )  # type: ignore[arg-type]
    runner = SimulatedRunner(machine, seed=2)
    outcome = run_search(settings, plan=make_plan(tmp_path, machine, settings), runner=runner)
    return outcome, runner
