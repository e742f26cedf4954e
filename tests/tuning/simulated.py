"""Searches on the simulated machine: real Optuna, real storage, the real handlers (only
OpenVINO replaced)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from autotune.judge import Limits
from autotune.testing import SimulatedMachine, SimulatedRunner, simulated_model
from autotune.tuning import SearchOutcome, SearchPlan, SearchSettings, build_space, run_search


def make_plan(tmp_path: Path, machine: SimulatedMachine, settings: SearchSettings) -> SearchPlan:
    model = simulated_model(str(tmp_path / "sim.xml"))
    space = build_space(
        ["CPU"], machine.capabilities(), model, settings.max_batch, scenario=settings.scenario
    )
    limits = Limits(
        max_latency_ms=settings.max_latency_s * 1e3 if settings.max_latency_s else None,
        percentile=settings.percentile,
        max_drift=settings.max_drift,
        scenario=settings.scenario,
        fps=settings.fps,
        streams=settings.streams,
        min_rate=settings.rate,
    )
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
    kw = {"max_drift": None, "analyse": False, **kw}  # the simulation has no outputs to compare
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
