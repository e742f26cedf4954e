"""Isolated trials: a crash or a hang costs one call, for real (AUTOTUNE_FAULT test seam)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from autotune.core import preset_config
from autotune.judge import throughput_of
from autotune.measure import IsolatedRunner, TrialFailure, Window, WorkerCrashed, WorkerTimedOut


def payload(model: Path, trial: int, **config: object) -> dict:
    cfg = preset_config("LATENCY").to_dict() | config
    return {
        "model_path": str(model),
        "shape": {"images": [1, 3, 64, 64]},
        "config": cfg,
        "trial_time_s": 0.2,
        "percent": 90,
        "trial": trial,
    }


def test_measure_in_child(tiny_model: Path, tmp_path: Path) -> None:
    with IsolatedRunner(tmp_path) as runner:
        result = runner.call("measure_config", payload(tiny_model, 0), timeout_s=60)
        pid = runner.pid
        again = runner.call("measure_config", payload(tiny_model, 1), timeout_s=60)
        assert runner.pid == pid  # the child is reused
    assert throughput_of([Window.from_dict(w) for w in result["measurement"]["windows"]]) > 0
    assert len(result["measurement"]["windows"]) >= 3
    assert again["key"] == result["key"]


@pytest.mark.parametrize(
    ("fault", "error", "needle"),
    [
        ("segfault@trial=1", WorkerCrashed, "SIGSEGV"),
        ("abort@trial=1", WorkerCrashed, "SIGABRT"),
        ("exit:7@trial=1", WorkerCrashed, "code 7"),
    ],
)
def test_crash_costs_one_call(
    tiny_model: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fault: str,
    error: type,
    needle: str,
) -> None:
    monkeypatch.setenv("AUTOTUNE_FAULT", fault)
    with IsolatedRunner(tmp_path) as runner:
        runner.call("measure_config", payload(tiny_model, 0), timeout_s=60)
        with pytest.raises(error) as info:
            runner.call("measure_config", payload(tiny_model, 1), timeout_s=60)
        assert needle in info.value.reason
        ok = runner.call("measure_config", payload(tiny_model, 2), timeout_s=60)
    assert ok["measurement"]["windows"]


def test_hang_is_killed_after_timeout(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTOTUNE_FAULT", "hang@hint=THROUGHPUT")
    with IsolatedRunner(tmp_path) as runner:
        started = time.monotonic()
        with pytest.raises(WorkerTimedOut, match="timed out after 3s"):
            runner.call(
                "measure_config",
                payload(tiny_model, 0, hint="THROUGHPUT", preset="THROUGHPUT"),
                timeout_s=3,
            )
        assert time.monotonic() - started < 10
        ok = runner.call("measure_config", payload(tiny_model, 1), timeout_s=60)
    assert ok["measurement"]["windows"]


def test_handler_error_keeps_the_child(tiny_model: Path, tmp_path: Path) -> None:
    with IsolatedRunner(tmp_path) as runner:
        with pytest.raises(TrialFailure, match="INFERENCE_PRECISION_HINT") as info:
            runner.call("measure_config", payload(tiny_model, 0, precision="f64"), timeout_s=60)
        assert not isinstance(info.value, WorkerCrashed)
        pid = runner.pid
        runner.call("measure_config", payload(tiny_model, 1), timeout_s=60)
        assert runner.pid == pid
