"""The Optuna objective: trial → configuration → isolated measurement → stored figures.

Every trial stores the requested and the effective configuration, its windows and figures as
user attributes; constraints go through ``Trial.set_constraint`` (Optuna 5's successor of
``constraints_func``) so infeasible trials teach the sampler instead of being dropped. A trial
whose effective configuration (read back after compile) was measured before is that
configuration: it is not measured again, it takes the earlier figures, and it is marked
``duplicate_of`` so it does not count toward ``--trials``.
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
from optuna.trial import FrozenTrial, TrialState

from autotune.config import RuntimeConfig
from autotune.facts import ModelInfo
from autotune.judge import Accuracy, Limits, constrained_latency, throughput_of, worst_accuracy
from autotune.lock import machine_lock
from autotune.measure import Window
from autotune.results import DUPLICATE_ATTR
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


def default_trial_timeout(trial_time_s: float) -> float:
    """Room for a slow compile plus the measurement, warm-up and re-measured windows."""
    return 120.0 + 4.0 * trial_time_s


def worker_identity() -> dict[str, Any]:
    return {"host": socket.gethostname(), "pid": os.getpid()}


def measured_trials(study: optuna.Study) -> list[FrozenTrial]:
    """Completed trials that measured their configuration (duplicates excluded)."""
    return [
        t
        for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if t.user_attrs.get("key") and DUPLICATE_ATTR not in t.user_attrs
    ]


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
        measured = measured_trials(trial.study)
        known = sorted({str(t.user_attrs["key"]) for t in measured})
        payload = self.payload(config, trial.number, known)
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
        if result.get("duplicate"):
            same = [t for t in measured if t.user_attrs["key"] == result["key"]]
            if same:
                return self.record_duplicate(trial, result, same)
        return self.record(trial, result)

    def _value(
        self, throughput: float, latency: float, memory_bytes: float | None
    ) -> float | tuple[float, ...]:
        if self.settings.objective == "pareto":
            return (
                throughput,
                latency if math.isfinite(latency) else 1e9,
                float(memory_bytes or 0) / 1e6,
            )
        return throughput

    def record(self, trial: optuna.Trial, result: dict[str, Any]) -> float | tuple[float, ...]:
        """Store a measurement on the trial and return the objective value(s)."""
        limits = self.settings.limits
        m = result["measurement"]
        windows = [Window.from_dict(w) for w in m["windows"]]
        throughput = throughput_of(windows)
        latency = constrained_latency(windows, limits.percentile)
        memory = result.get("memory", {})
        accuracy = result.get("accuracy") or {}
        trial.set_user_attr("key", result["key"])
        trial.set_user_attr("effective", result["effective"])
        trial.set_user_attr("windows", m["windows"])
        trial.set_user_attr("stability", m["stability"])
        trial.set_user_attr("memory", memory)
        if accuracy:
            trial.set_user_attr("accuracy", accuracy)
        to_first_result = result["compile_ms"] + result["first_inference_ms"]
        trial.set_user_attr(
            "metrics",
            {
                "throughput_fps": throughput,
                "latency_ms": m["latency_ms"],
                "constrained_latency_ms": latency,
                "first_inference_ms": result["first_inference_ms"],
                "compile_ms": result["compile_ms"],
                "to_first_result_ms": to_first_result,
                "loaded_from_cache": result["loaded_from_cache"],
                "measured_s": result["measured_s"],
                "requests": m["requests"],
                "max_steal": max((w.steal for w in windows), default=0.0),
            },
        )
        memory_bytes = memory.get("peak_delta_bytes")
        violations = limits.violations(
            latency, memory_bytes, Accuracy.from_record(accuracy), to_first_result
        )
        for name, value in violations.items():
            trial.set_constraint(name, value)
        return self._value(throughput, latency, memory_bytes)

    def record_duplicate(
        self, trial: optuna.Trial, result: dict[str, Any], same: list[FrozenTrial]
    ) -> float | tuple[float, ...]:
        """The effective configuration of this trial was measured by ``same``: take its
        figures (windows pooled over those trials) without measuring it again."""
        limits = self.settings.limits
        windows = [Window.from_dict(w) for t in same for w in t.user_attrs.get("windows", [])]
        throughput = throughput_of(windows)
        latency = constrained_latency(windows, limits.percentile)
        first = same[0]
        memory_bytes = (first.user_attrs.get("memory") or {}).get("peak_delta_bytes")
        accuracy = worst_accuracy(
            [Accuracy.from_record(t.user_attrs.get("accuracy")) for t in same]
        )
        to_first_result = (first.user_attrs.get("metrics") or {}).get("to_first_result_ms")
        trial.set_user_attr(DUPLICATE_ATTR, first.number)
        trial.set_user_attr("key", result["key"])
        trial.set_user_attr("effective", result["effective"])
        trial.set_user_attr(
            "metrics",
            {
                "throughput_fps": throughput,
                "constrained_latency_ms": latency,
                "compile_ms": result["compile_ms"],
                "loaded_from_cache": result["loaded_from_cache"],
            },
        )
        violations = limits.violations(latency, memory_bytes, accuracy, to_first_result)
        for name, value in violations.items():
            trial.set_constraint(name, value)
        return self._value(throughput, latency, memory_bytes)
