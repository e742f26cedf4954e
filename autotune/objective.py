"""The Optuna objective: trial → configuration → isolated measurement → stored figures.

Every trial stores the requested and the effective configuration, its windows and metrics as
user attributes; constraints go through ``Trial.set_constraint`` (Optuna 5's successor of
``constraints_func``) so infeasible trials teach the sampler instead of being dropped. A
configuration whose effective identity was measured before is measured briefly and pooled.
"""

from __future__ import annotations

import math
import os
import socket
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import optuna
from optuna.trial import TrialState

from autotune.config import RuntimeConfig
from autotune.facts import ModelInfo
from autotune.lock import machine_lock
from autotune.measure import Window, constrained_latency, median_throughput
from autotune.results import Limits
from autotune.space import SearchSpace
from autotune.worker import TrialFailure

OBJECTIVES = ("throughput", "pareto")


@dataclass(frozen=True)
class MeasureSettings:
    """How every trial of a study is measured."""

    model: ModelInfo
    trial_time_s: float
    trial_timeout_s: float
    limits: Limits
    cache_dir: str
    objective: str = "throughput"
    reference_path: str | None = None  # f32 reference outputs for the accuracy guard
    inputs_path: str | None = None  # user's input samples (.npz) for the accuracy guard


def default_trial_timeout(trial_time_s: float) -> float:
    """Room for a slow compile plus the measurement, warm-up and re-measured windows."""
    return 120.0 + 4.0 * trial_time_s


def worker_identity() -> dict[str, Any]:
    return {"host": socket.gethostname(), "pid": os.getpid()}


class Objective:
    """Callable given to ``study.optimize``."""

    def __init__(
        self,
        space: SearchSpace,
        settings: MeasureSettings,
        runner: Any,
        *,
        on_wait: Callable[[str], None] | None = None,
        lock: Callable[..., AbstractContextManager[None]] = machine_lock,
    ) -> None:
        self.space = space
        self.settings = settings
        self.runner = runner
        self.on_wait = on_wait
        self.lock = lock

    def config_for(self, trial: optuna.Trial) -> RuntimeConfig:
        config = self.space.suggest(trial)
        preset = trial.user_attrs.get("preset")
        return config.with_preset(preset) if preset else config

    def _previous_windows(self, study: optuna.Study) -> dict[str, list[Window]]:
        windows: dict[str, list[Window]] = {}
        for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
            key = t.user_attrs.get("key")
            if key:
                windows.setdefault(key, []).extend(
                    Window.from_dict(w) for w in t.user_attrs.get("windows", [])
                )
        return windows

    def payload(
        self, config: RuntimeConfig, trial_number: int, known: list[str]
    ) -> dict[str, Any]:
        s = self.settings
        return {
            "model_path": s.model.path,
            "shape": s.model.shape,
            "config": config.to_dict(),
            "trial_time_s": s.trial_time_s,
            "percent": s.limits.percentile,
            "cache_dir": s.cache_dir,
            "known_keys": known,
            "trial": trial_number,
            "latency_limit_ms": s.limits.max_latency_ms,
            "reference_path": s.reference_path,
        }

    def __call__(self, trial: optuna.Trial) -> float | tuple[float, ...]:
        config = self.config_for(trial)
        trial.set_user_attr("config", config.to_dict())
        trial.set_user_attr("label", config.describe())
        trial.set_user_attr("worker", worker_identity())
        previous = self._previous_windows(trial.study)
        payload = self.payload(config, trial.number, sorted(previous))
        try:
            with self.lock(self.on_wait):
                started = time.time()
                result = self.runner.call(
                    "measure_config", payload, timeout_s=self.settings.trial_timeout_s
                )
                # Wall-clock interval under the machine lock: workers on one host never overlap.
                trial.set_user_attr("measured_at", [started, time.time()])
        except TrialFailure as exc:
            trial.set_user_attr("fail_reason", exc.reason)
            raise
        except KeyboardInterrupt:
            trial.set_user_attr("fail_reason", "interrupted (Ctrl-C) while measuring")
            raise
        return self.record(trial, result, previous.get(result["key"], []))

    def record(
        self, trial: optuna.Trial, result: dict[str, Any], earlier: list[Window]
    ) -> float | tuple[float, ...]:
        """Store a measurement on the trial and return the objective value(s)."""
        limits = self.settings.limits
        m = result["measurement"]
        windows = [Window.from_dict(w) for w in m["windows"]]
        pooled = earlier + windows
        pooled_fps = median_throughput(pooled)
        pooled_latency = constrained_latency(pooled, limits.percentile)
        memory = result.get("memory", {})
        accuracy = result.get("accuracy") or {}
        trial.set_user_attr("key", result["key"])
        trial.set_user_attr("duplicate", bool(result.get("duplicate")))
        trial.set_user_attr("effective", result["effective"])
        trial.set_user_attr("windows", m["windows"])
        trial.set_user_attr("stability", m["stability"])
        trial.set_user_attr("memory", memory)
        if accuracy:
            trial.set_user_attr("accuracy", accuracy)
        trial.set_user_attr(
            "metrics",
            {
                "throughput_fps": m["throughput_fps"],
                "latency_ms": m["latency_ms"],
                "constrained_latency_ms": m["constrained_latency_ms"],
                "pooled_throughput_fps": pooled_fps,
                "pooled_constrained_latency_ms": pooled_latency,
                "pooled_windows": len(pooled),
                "first_inference_ms": result["first_inference_ms"],
                "compile_ms": result["compile_ms"],
                "to_first_result_ms": result["compile_ms"] + result["first_inference_ms"],
                "loaded_from_cache": result["loaded_from_cache"],
                "measured_s": result["measured_s"],
                "requests": m["requests"],
                "max_steal": max((w.steal for w in windows), default=0.0),
            },
        )
        memory_bytes = memory.get("peak_delta_bytes")
        violations = limits.violations(
            pooled_latency,
            memory_bytes,
            accuracy.get("max_rel_error"),
            result["compile_ms"] + result["first_inference_ms"],
        )
        for name, value in violations.items():
            trial.set_constraint(name, value)
        if self.settings.objective == "pareto":
            latency = pooled_latency if math.isfinite(pooled_latency) else 1e9
            return pooled_fps, latency, float(memory_bytes or 0) / 1e6
        return pooled_fps
