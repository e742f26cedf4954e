"""The trial record: every user-attribute key a study holds, written and read here only.

A trial carries what was asked (config, label, worker, preset), what happened (measured_at,
fail_reason) and, once measured, what the worker saw (key, effective, windows, stability,
memory, accuracy, metrics) — or, for a configuration measured before, ``duplicate_of``. The
study carries its metadata, the confirmation rounds and the winner analysis.
"""

from __future__ import annotations

import math
import os
import socket
from dataclasses import dataclass, field
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState

from autotune.core import EffectiveConfig, RuntimeConfig, preset_label
from autotune.measure import Window

# study attributes
META_ATTR = "autotune"
CONFIRMATION_ATTR = "confirmation"
ANALYSIS_ATTR = "analysis"
LOAD_CURVES_ATTR = "load_curves"  # server scenario: latency against offered load
VARIANTS_ATTR = "variants"  # --quantize: the INT8 model (path, quantization time, calibration)
# trial attributes
CONFIG = "config"
LABEL = "label"
WORKER = "worker"
PRESET = "preset"
STEERED_FROM = "steered_from"
MEASURED_AT = "measured_at"
FAIL_REASON = "fail_reason"
KEY = "key"
EFFECTIVE = "effective"
WINDOWS = "windows"
STABILITY = "stability"
MEMORY = "memory"
ACCURACY = "accuracy"
METRICS = "metrics"
DUPLICATE_OF = "duplicate_of"
LOAD = "load"  # server scenario: the closed-loop ceiling and every probe of the rate search


def worker_identity() -> dict[str, Any]:
    """Who measures: host and pid (to recover trials of a worker that died)."""
    return {"host": socket.gethostname(), "pid": os.getpid()}


def write_request(trial: optuna.Trial, config: RuntimeConfig) -> None:
    trial.set_user_attr(CONFIG, config.to_dict())
    trial.set_user_attr(LABEL, config.describe())
    trial.set_user_attr(WORKER, worker_identity())


def write_measured_at(trial: optuna.Trial, started: float, ended: float) -> None:
    """Wall-clock interval under the machine lock (workers on one host never overlap)."""
    trial.set_user_attr(MEASURED_AT, [started, ended])


def write_failure(trial: optuna.Trial, reason: str) -> None:
    trial.set_user_attr(FAIL_REASON, reason)


def write_measurement(
    trial: optuna.Trial,
    *,
    key: str,
    effective: dict[str, Any],
    windows: list[dict[str, Any]],
    stability: dict[str, Any],
    memory: dict[str, Any],
    accuracy: dict[str, Any] | None,
    metrics: dict[str, Any],
    load: dict[str, Any] | None = None,
) -> None:
    trial.set_user_attr(KEY, key)
    if load:
        trial.set_user_attr(LOAD, load)
    trial.set_user_attr(EFFECTIVE, effective)
    trial.set_user_attr(WINDOWS, windows)
    trial.set_user_attr(STABILITY, stability)
    trial.set_user_attr(MEMORY, memory)
    if accuracy:
        trial.set_user_attr(ACCURACY, accuracy)
    trial.set_user_attr(METRICS, metrics)


def write_duplicate(
    trial: optuna.Trial,
    *,
    first: int,
    key: str,
    effective: dict[str, Any],
    metrics: dict[str, Any],
) -> None:
    trial.set_user_attr(DUPLICATE_OF, first)
    trial.set_user_attr(KEY, key)
    trial.set_user_attr(EFFECTIVE, effective)
    trial.set_user_attr(METRICS, metrics)


def preset_of(trial: optuna.Trial | FrozenTrial) -> str | None:
    value = trial.user_attrs.get(PRESET)
    return str(value) if value else None


def queued_as_preset(name: str) -> dict[str, Any]:
    """The user attributes of a hint preset queued with ``enqueue_trial``."""
    return {PRESET: name}


def queued_as_steered(source: int) -> dict[str, Any]:
    return {STEERED_FROM: source}


def is_measured(trial: FrozenTrial) -> bool:
    """:attr:`TrialResult.measured` of a stored trial (the one definition)."""
    return TrialResult.from_trial(trial).measured


def measured_trials(study: optuna.Study) -> list[FrozenTrial]:
    """What ``--trials`` counts: completed trials that measured a configuration of their own."""
    return [
        t
        for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if is_measured(t)
    ]


def worker_of(trial: FrozenTrial) -> dict[str, Any]:
    return dict(trial.user_attrs.get(WORKER) or {})


def fail_stored_trial(
    storage: optuna.storages.BaseStorage, trial: FrozenTrial, reason: str
) -> None:
    """Mark a trial failed through the storage (a trial of a dead or interrupted worker)."""
    storage.set_trial_user_attr(trial._trial_id, FAIL_REASON, reason)
    storage.set_trial_state_values(trial._trial_id, state=TrialState.FAIL)


@dataclass(frozen=True)
class TrialResult:
    """One Optuna trial, decoded."""

    number: int
    state: str
    config: RuntimeConfig | None
    preset: str | None
    effective: EffectiveConfig | None
    key: str | None
    windows: tuple[Window, ...]
    metrics: dict[str, Any]
    stability_warnings: tuple[str, ...]
    memory: dict[str, Any]
    accuracy: dict[str, Any]
    fail_reason: str | None
    duration_s: float | None
    params: dict[str, Any] = field(default_factory=dict)
    duplicate_of: int | None = None
    worker: dict[str, Any] = field(default_factory=dict)
    steered_from: int | None = None  # the trial whose neighbour this is (latency steering)
    load: dict[str, Any] = field(default_factory=dict)  # server scenario: ceiling and probes

    @property
    def complete(self) -> bool:
        return self.state == "COMPLETE" and self.effective is not None

    @property
    def measured(self) -> bool:
        """Completed with a measurement of its own: its windows (a duplicate of an earlier
        trial has none). What ``--trials`` counts, and what the figures pool."""
        return self.complete and self.duplicate_of is None and bool(self.windows)

    @property
    def throughput_fps(self) -> float:
        return float(self.metrics.get("throughput_fps", math.nan))

    @property
    def constrained_latency_ms(self) -> float:
        value = self.metrics.get("constrained_latency_ms")
        return float(value) if value is not None else math.nan

    @property
    def label(self) -> str:
        if self.preset:
            return preset_label(self.preset)
        return self.config.describe() if self.config else f"trial {self.number}"

    @classmethod
    def from_trial(cls, trial: FrozenTrial) -> TrialResult:
        attrs = trial.user_attrs
        config = RuntimeConfig.from_dict(attrs[CONFIG]) if CONFIG in attrs else None
        effective = EffectiveConfig.from_dict(attrs[EFFECTIVE]) if EFFECTIVE in attrs else None
        duration = trial.duration.total_seconds() if trial.duration else None
        duplicate = attrs.get(DUPLICATE_OF)
        return cls(
            number=trial.number,
            state=trial.state.name,
            config=config,
            preset=preset_of(trial),
            effective=effective,
            key=attrs.get(KEY),
            windows=tuple(Window.from_dict(w) for w in attrs.get(WINDOWS, [])),
            metrics=dict(attrs.get(METRICS, {})),
            stability_warnings=tuple(attrs.get(STABILITY, {}).get("warnings", [])),
            memory=dict(attrs.get(MEMORY, {})),
            accuracy=dict(attrs.get(ACCURACY, {})),
            fail_reason=attrs.get(FAIL_REASON),
            duration_s=duration,
            params=dict(trial.params),
            duplicate_of=int(duplicate) if duplicate is not None else None,
            worker=worker_of(trial),
            steered_from=attrs.get(STEERED_FROM),
            load=dict(attrs.get(LOAD, {})),
        )


def load_trials(study: optuna.Study) -> list[TrialResult]:
    return [TrialResult.from_trial(t) for t in study.get_trials(deepcopy=False)]
