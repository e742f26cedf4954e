"""The trial record: what the objective writes is what every reader decodes."""

from __future__ import annotations

import optuna

from autotune.core import RuntimeConfig
from autotune.study import (
    TrialResult,
    is_measured,
    measured_trials,
    preset_of,
    queued_as_preset,
    worker_identity,
    write_duplicate,
    write_failure,
    write_measurement,
    write_request,
)
from tests.builders import window


def test_a_measured_trial_round_trips() -> None:
    study = optuna.create_study(direction="maximize")
    trial = study.ask()
    config = RuntimeConfig(hint="NONE", streams=2, threads=2, infer_requests=4)
    write_request(trial, config)
    windows = [window(i, 100.0 + i, 2.0).to_dict() for i in range(3)]
    write_measurement(
        trial,
        key="k1",
        effective={
            "device": "CPU",
            "batch": 1,
            "infer_requests": 4,
            "properties": {"NUM_STREAMS": "2"},
        },
        windows=windows,
        stability={"warnings": ["noisy"]},
        memory={"peak_delta_bytes": 5},
        accuracy={"rel_l2": 0.01},
        metrics={"throughput_fps": 101.0, "constrained_latency_ms": 2.0},
    )
    study.tell(trial, 101.0)
    frozen = study.trials[0]
    result = TrialResult.from_trial(frozen)
    assert result.config == config and result.label == config.describe()
    assert (
        result.key == "k1"
        and result.effective is not None
        and result.effective.infer_requests == 4
    )
    assert [w.throughput_fps for w in result.windows] == [100.0, 101.0, 102.0]
    assert result.throughput_fps == 101.0 and result.constrained_latency_ms == 2.0
    assert result.stability_warnings == ("noisy",) and result.accuracy == {"rel_l2": 0.01}
    assert result.worker == worker_identity() and result.measured and is_measured(frozen)
    assert measured_trials(study) == [frozen]


def test_duplicates_failures_and_presets_are_told_apart() -> None:
    study = optuna.create_study(direction="maximize")
    study.enqueue_trial({}, user_attrs=queued_as_preset("LATENCY f32"))
    preset = study.ask()
    assert preset_of(preset) == "LATENCY f32"
    study.tell(preset, state=optuna.trial.TrialState.FAIL)
    duplicate = study.ask()
    write_duplicate(
        duplicate,
        first=0,
        key="k1",
        effective={"device": "CPU", "batch": 1, "infer_requests": 1},
        metrics={"throughput_fps": 90.0},
    )
    study.tell(duplicate, 90.0)
    failed = study.ask()
    write_failure(failed, "worker killed by SIGSEGV")
    study.tell(failed, state=optuna.trial.TrialState.FAIL)
    decoded = [TrialResult.from_trial(t) for t in study.trials]
    assert decoded[0].preset == "LATENCY f32" and decoded[0].label == "LATENCY hint, f32"
    assert decoded[1].duplicate_of == 0 and decoded[1].complete and not decoded[1].measured
    assert decoded[2].fail_reason == "worker killed by SIGSEGV"
    assert measured_trials(study) == []  # a duplicate measures nothing of its own
