"""Latency steering: neighbours along batch and queued requests, on a simulated CPU."""

from __future__ import annotations

from pathlib import Path

import optuna

from autotune.core import DeviceCapabilities
from autotune.study import TrialResult
from autotune.testing import SimulatedMachine, simulated_model
from autotune.tuning import build_space, step_down, step_up
from tests.tuning.simulated import run


def space():
    caps = DeviceCapabilities("CPU", "t", (1, 4), 4, ("f32",), "f32")
    model = simulated_model("m", (1, 3))
    return build_space(["CPU", "BATCH:CPU"], caps, model, max_batch=8)


def test_step_down_scales_queued_work_by_how_far_over() -> None:
    s = space()
    assert step_down({"request_multiplier": 4, "batch": 8}, s, over=2.0) == {
        "request_multiplier": 2,
        "batch": 8,
    }
    assert step_down({"request_multiplier": 4, "batch": 8}, s, over=10.0) == {
        "request_multiplier": 1,
        "batch": 8,
    }
    assert step_down({"request_multiplier": 1, "batch": 8}, s, over=3.0) == {
        "request_multiplier": 1,
        "batch": 2,
    }
    assert step_down({"request_multiplier": 1, "batch": 1}, s, over=3.0) is None
    assert step_down({"request_multiplier": 1, "auto_batch_size": 8}, s, over=2.0) == {
        "request_multiplier": 1,
        "auto_batch_size": 4,
    }


def test_step_up_spends_slack_on_batch_then_requests() -> None:
    s = space()
    assert step_up({"request_multiplier": 1, "batch": 2}, s) == {
        "request_multiplier": 1,
        "batch": 4,
    }
    assert step_up({"request_multiplier": 1, "batch": 8}, s) == {
        "request_multiplier": 2,
        "batch": 8,
    }
    assert step_up({"request_multiplier": 4, "batch": 8}, s) is None


def test_steering_moves_a_fast_infeasible_config_under_the_limit(tmp_path: Path) -> None:
    machine = SimulatedMachine(cores=16, frame_ms=8)
    outcome, _ = run(tmp_path, machine, trials=16, max_latency_s=0.004)
    study = optuna.load_study(study_name="sim", storage=f"sqlite:///{tmp_path}/s.db")
    steered = [t for t in study.trials if TrialResult.from_trial(t).steered_from is not None]
    assert steered, "some trial should have been steered"
    by_number = {t.number: t for t in study.trials}
    for t in steered:
        origin = by_number[TrialResult.from_trial(t).steered_from]
        changed = {k for k in t.params if t.params[k] != origin.params.get(k)}
        assert changed <= {"batch", "request_multiplier", "auto_batch_size"} and changed
    assert outcome.winner is not None and outcome.winner.feasible
