"""The Optuna objective: trial → configuration → isolated measurement → stored figures.

Every trial stores the requested and the effective configuration, its windows and figures
(:mod:`autotune.study`'s trial record); constraints go through ``Trial.set_constraint`` (Optuna
5's successor of ``constraints_func``) so infeasible trials teach the sampler instead of being
dropped. A trial whose effective configuration (read back after compile) was measured before
is that configuration: it is not measured again, it takes the earlier figures, and it is
marked ``duplicate_of`` so it does not count toward ``--trials``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

import optuna

from autotune.core import ModelInfo, RuntimeConfig
from autotune.judge import (
    Accuracy,
    Limits,
    constrained_latency,
    tail_evidence,
    throughput_of,
    worst_accuracy,
)
from autotune.measure import Runner, TrialFailure, Window, machine_lock
from autotune.study import (
    TrialResult,
    measured_trials,
    preset_of,
    write_duplicate,
    write_failure,
    write_measured_at,
    write_measurement,
    write_request,
)
from autotune.tuning._space import SearchSpace


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
    variants: dict[str, str] = field(default_factory=dict)  # variant → model file (INT8 IR)
    uncalibrated: bool = False  # the variants were calibrated on random data
    pad: dict[str, float] | None = None  # bucket policies' pad values
    accuracy_fn: str | None = None  # the user's metric, "module:function"
    search_path: str | None = None  # where that module is found (the starting folder)


# The measurement's scenario-specific record a trial keeps (TrialResult.load).
LOAD_KEYS = (
    "capacity_fps",
    "sustainable_rate",
    "lowest_fail",
    "fps",
    "sources_held",
    "at_rate",
    "points",
    "latency_distribution_ms",
)


class Objective:
    """Callable given to ``study.optimize``."""

    def __init__(
        self,
        space: SearchSpace,
        settings: MeasureSettings,
        runner: Runner,
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
        preset = preset_of(trial)
        return config.with_preset(preset) if preset else config

    def payload(
        self, config: RuntimeConfig, trial_number: int, known: list[str]
    ) -> dict[str, Any]:
        s = self.settings
        return {
            "model_path": s.model.path,
            "shape": s.model.shape,
            "batch_axes": s.model.batch_axes.to_dict(),
            "mix": s.model.mix.to_dict() if s.model.mix is not None else None,
            "pad": s.pad,
            "variants": s.variants,
            "accuracy_fn": s.accuracy_fn,
            "search_path": s.search_path,
            "config": config.to_dict(),
            "trial_time_s": s.trial_time_s,
            "percent": s.limits.percentile,
            "cache_dir": s.cache_dir,
            "known_keys": known,
            "trial": trial_number,
            "latency_limit_ms": s.limits.max_latency_ms,
            "reference_path": s.reference_path,
            "scenario": s.limits.scenario,
            "fps": s.limits.fps,
            "streams": s.limits.streams,
            "at_rate": s.limits.at_rate,
        }

    def __call__(self, trial: optuna.Trial) -> float | tuple[float, ...]:
        config = self.config_for(trial)
        write_request(trial, config)
        measured = [TrialResult.from_trial(t) for t in measured_trials(trial.study)]
        known = sorted({str(t.key) for t in measured})
        payload = self.payload(config, trial.number, known)
        try:
            with self.lock(self.on_wait):
                started = time.time()
                result = self.runner.call(
                    "measure_config", payload, timeout_s=self.settings.trial_timeout_s
                )
                write_measured_at(trial, started, time.time())
        except TrialFailure as exc:
            write_failure(trial, exc.reason)
            raise
        except KeyboardInterrupt:
            write_failure(trial, "interrupted (Ctrl-C) while measuring")
            raise
        if result.get("duplicate"):
            same = [t for t in measured if t.key == result["key"]]
            if same:
                return self.record_duplicate(trial, result, same)
        return self.record(trial, result)

    def _value(
        self,
        throughput: float,
        latency: float,
        memory_bytes: float | None,
        windows: list[Window],
    ) -> float | tuple[float, ...]:
        if self.settings.objective == "pareto":
            return (
                throughput,
                latency if math.isfinite(latency) else 1e9,
                float(memory_bytes or 0) / 1e6,
            )
        figure = self.settings.limits.figure
        if figure.latency_key is None:
            return throughput  # throughput, or the sustainable rate / sources held it stands for
        value = figure.of_windows(windows)  # the study minimizes it
        return value if math.isfinite(value) else 1e9

    def _constrain(
        self,
        trial: optuna.Trial,
        latency: float,
        memory_bytes: float | None,
        accuracy: Accuracy | None,
        to_first_result: float | None,
        rate: float,
        windows: list[Window],
    ) -> None:
        limits = self.settings.limits
        violations = limits.violations(
            latency,
            memory_bytes,
            accuracy,
            to_first_result,
            rate=rate,
            tail=tail_evidence(windows, limits.percentile) if limits.max_latency_ms else None,
        )
        for name, value in violations.items():
            trial.set_constraint(name, value)

    def record(self, trial: optuna.Trial, result: dict[str, Any]) -> float | tuple[float, ...]:
        """Store a measurement on the trial and return the objective value(s)."""
        m = result["measurement"]
        windows = [Window.from_dict(w) for w in m["windows"]]
        if (
            self.settings.uncalibrated
            and result.get("accuracy")
            and result["effective"].get("variant")
        ):
            result["accuracy"]["uncalibrated"] = True  # judged, but calibrated on noise
        throughput = throughput_of(windows)
        latency = constrained_latency(windows, self.settings.limits.percentile)
        memory = result.get("memory", {})
        to_first_result = result["compile_ms"] + result["first_inference_ms"]
        # what the scenario measured besides the windows: the closed-loop ceiling, the rate
        # or count probes, the latency distribution the report draws ([[percent, ms], …])
        load = {k: m[k] for k in LOAD_KEYS if m.get(k) is not None} or None
        write_measurement(
            trial,
            load=load,
            key=result["key"],
            effective=result["effective"],
            windows=m["windows"],
            stability=m["stability"],
            memory=memory,
            accuracy=result.get("accuracy"),
            metrics={
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
                **({"by_shape": m["by_shape"]} if m.get("by_shape") else {}),
            },
        )
        memory_bytes = memory.get("peak_delta_bytes")
        accuracy = Accuracy.from_record(result.get("accuracy"))
        self._constrain(
            trial, latency, memory_bytes, accuracy, to_first_result, throughput, windows
        )
        return self._value(throughput, latency, memory_bytes, windows)

    def record_duplicate(
        self, trial: optuna.Trial, result: dict[str, Any], same: list[TrialResult]
    ) -> float | tuple[float, ...]:
        """The effective configuration of this trial was measured by ``same``: take its
        figures (windows pooled over those trials) without measuring it again."""
        windows = [w for t in same for w in t.windows]
        throughput = throughput_of(windows)
        latency = constrained_latency(windows, self.settings.limits.percentile)
        first = same[0]
        memory_bytes = first.memory.get("peak_delta_bytes")
        accuracy = worst_accuracy([Accuracy.from_record(t.accuracy) for t in same])
        to_first_result = first.metrics.get("to_first_result_ms")
        write_duplicate(
            trial,
            first=first.number,
            key=result["key"],
            effective=result["effective"],
            metrics={
                "throughput_fps": throughput,
                "constrained_latency_ms": latency,
                "compile_ms": result["compile_ms"],
                "loaded_from_cache": result["loaded_from_cache"],
            },
        )
        self._constrain(
            trial, latency, memory_bytes, accuracy, to_first_result, throughput, windows
        )
        return self._value(throughput, latency, memory_bytes, windows)
