"""Typed views of what a study holds: one :class:`TrialResult` per trial, and one
:class:`ConfigResult` per unique effective configuration (its trials' windows pooled).

Everything the tuner, report and export show is computed here from trial user attributes, so
the figures agree wherever they appear.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import optuna
from optuna.trial import FrozenTrial

from autotune.config import EffectiveConfig, RuntimeConfig
from autotune.measure import (
    Stability,
    Window,
    WindowedFigures,
    constrained_latency,
    judge_stability,
    percentile_key,
)

META_ATTR = "autotune"
CONFIRMATION_ATTR = "confirmation"


@dataclass(frozen=True)
class Limits:
    """The constraints a configuration must meet to be deployable."""

    max_latency_ms: float | None = None
    percentile: float = 90.0
    max_memory_bytes: int | None = None
    max_drift: float | None = None
    max_first_inference_ms: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "max_latency_ms": self.max_latency_ms,
            "percentile": self.percentile,
            "max_memory_bytes": self.max_memory_bytes,
            "max_drift": self.max_drift,
            "max_first_inference_ms": self.max_first_inference_ms,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Limits:
        return cls(
            max_latency_ms=data.get("max_latency_ms"),
            percentile=float(data.get("percentile", 90.0)),
            max_memory_bytes=data.get("max_memory_bytes"),
            max_drift=data.get("max_drift"),
            max_first_inference_ms=data.get("max_first_inference_ms"),
        )

    def violations(
        self,
        latency_ms: float,
        memory_bytes: float | None = None,
        drift: float | None = None,
        to_first_result_ms: float | None = None,
    ) -> dict[str, float]:
        """Constraint values in Optuna's convention: feasible when every value is ≤ 0.

        Each is relative to its limit (0.1 = 10 % over) so the sampler sees comparable scales.
        """
        out: dict[str, float] = {}
        if self.max_latency_ms is not None:
            value = latency_ms if math.isfinite(latency_ms) else 1e9
            out["latency"] = value / self.max_latency_ms - 1.0
        if self.max_memory_bytes is not None and memory_bytes is not None:
            out["memory"] = memory_bytes / self.max_memory_bytes - 1.0
        if self.max_drift is not None and drift is not None:
            out["drift"] = (drift / self.max_drift - 1.0) if self.max_drift > 0 else drift
        if self.max_first_inference_ms is not None and to_first_result_ms is not None:
            out["first_inference"] = to_first_result_ms / self.max_first_inference_ms - 1.0
        return out

    def describe(self) -> str:
        parts = []
        if self.max_latency_ms is not None:
            parts.append(f"{percentile_key(self.percentile)} latency ≤ {self.max_latency_ms:g} ms")
        if self.max_memory_bytes is not None:
            parts.append(f"memory ≤ {self.max_memory_bytes / 1e6:.0f} MB")
        if self.max_drift is not None:
            parts.append(f"output drift ≤ {self.max_drift:g}")
        if self.max_first_inference_ms is not None:
            parts.append(f"time to first result ≤ {self.max_first_inference_ms:g} ms")
        return ", ".join(parts) or "no limit (maximize throughput)"


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

    @property
    def complete(self) -> bool:
        return self.state == "COMPLETE" and self.effective is not None

    @property
    def throughput_fps(self) -> float:
        return float(self.metrics.get("throughput_fps", math.nan))

    @property
    def label(self) -> str:
        if self.preset:
            return f"{self.preset} hint"
        return self.config.describe() if self.config else f"trial {self.number}"

    @classmethod
    def from_trial(cls, trial: FrozenTrial) -> TrialResult:
        attrs = trial.user_attrs
        config = RuntimeConfig.from_dict(attrs["config"]) if "config" in attrs else None
        effective = EffectiveConfig.from_dict(attrs["effective"]) if "effective" in attrs else None
        duration = trial.duration.total_seconds() if trial.duration else None
        return cls(
            number=trial.number,
            state=trial.state.name,
            config=config,
            preset=attrs.get("preset"),
            effective=effective,
            key=attrs.get("key"),
            windows=tuple(Window.from_dict(w) for w in attrs.get("windows", [])),
            metrics=dict(attrs.get("metrics", {})),
            stability_warnings=tuple(attrs.get("stability", {}).get("warnings", [])),
            memory=dict(attrs.get("memory", {})),
            accuracy=dict(attrs.get("accuracy", {})),
            fail_reason=attrs.get("fail_reason"),
            duration_s=duration,
            params=dict(trial.params),
        )


@dataclass(frozen=True)
class ConfigResult(WindowedFigures):
    """A unique effective configuration with every window measured for it, pooled."""

    key: str
    config: RuntimeConfig  # the first request that produced it
    effective: EffectiveConfig
    trials: tuple[int, ...]
    presets: tuple[str, ...]
    windows: tuple[Window, ...]
    percentile: float
    latency_ms: dict[str, float]  # median over member trials of their pooled percentiles
    first_inference_ms: float
    compile_ms: float
    to_first_result_ms: float  # cached compile + first inference: what a restart costs
    memory_bytes: float | None
    drift: float | None
    violations: dict[str, float]

    @property
    def feasible(self) -> bool:
        return all(v <= 0 for v in self.violations.values())

    @property
    def label(self) -> str:
        if self.presets:
            return " = ".join(f"{p} hint" for p in self.presets)
        return self.config.describe()

    def stability(self) -> Stability:
        return judge_stability(self.windows)

    @property
    def first_trial(self) -> int:
        return self.trials[0]


def load_trials(study: optuna.Study) -> list[TrialResult]:
    return [TrialResult.from_trial(t) for t in study.get_trials(deepcopy=False)]


def _median(values: Iterable[float]) -> float:
    data = [v for v in values if v is not None and math.isfinite(v)]
    return statistics.median(data) if data else math.nan


def unique_configs(trials: Sequence[TrialResult], limits: Limits) -> list[ConfigResult]:
    """Group completed trials by effective identity; pool their windows.

    Ordered by the first trial of each group.
    """
    groups: dict[str, list[TrialResult]] = {}
    for trial in trials:
        if trial.complete and trial.key and trial.windows:
            groups.setdefault(trial.key, []).append(trial)
    results = []
    for key, members in groups.items():
        windows = tuple(w for t in members for w in t.windows)
        first = members[0]
        assert first.config is not None and first.effective is not None
        percent = limits.percentile
        latency_keys = {k for t in members for k in t.metrics.get("latency_ms", {})}
        latency = {
            k: _median(t.metrics["latency_ms"].get(k, math.nan) for t in members)
            for k in latency_keys
        }
        memory = _median(t.memory.get("peak_delta_bytes") or math.nan for t in members)
        drift_values = [t.accuracy.get("max_rel_error") for t in members if t.accuracy]
        drift = max((d for d in drift_values if d is not None), default=None)
        first_inference = _median(t.metrics.get("first_inference_ms", math.nan) for t in members)
        to_first_result = _median(t.metrics.get("to_first_result_ms", math.nan) for t in members)
        pooled_latency = constrained_latency(windows, percent)
        results.append(
            ConfigResult(
                key=key,
                config=first.config,
                effective=first.effective,
                trials=tuple(t.number for t in members),
                presets=tuple(sorted({t.preset for t in members if t.preset})),
                windows=windows,
                percentile=percent,
                latency_ms=latency,
                first_inference_ms=first_inference,
                to_first_result_ms=to_first_result,
                compile_ms=_median(t.metrics.get("compile_ms", math.nan) for t in members),
                memory_bytes=memory if math.isfinite(memory) else None,
                drift=drift,
                violations=limits.violations(
                    pooled_latency,
                    memory if math.isfinite(memory) else None,
                    drift,
                    to_first_result if math.isfinite(to_first_result) else None,
                ),
            )
        )
    return results


def best_config(configs: Sequence[ConfigResult]) -> ConfigResult | None:
    """The feasible configuration with the highest pooled median throughput."""
    feasible = [c for c in configs if c.feasible]
    return max(feasible, key=lambda c: c.throughput_fps, default=None)


def ranked_feasible(configs: Sequence[ConfigResult]) -> list[ConfigResult]:
    return sorted((c for c in configs if c.feasible), key=lambda c: -c.throughput_fps)


def closest_config(configs: Sequence[ConfigResult]) -> ConfigResult | None:
    """The infeasible configuration nearest to meeting the limits (smallest worst violation)."""
    return min(configs, key=lambda c: max(c.violations.values(), default=0.0), default=None)


def preset_results(configs: Sequence[ConfigResult]) -> dict[str, ConfigResult]:
    """The measured hint presets by name (LATENCY, THROUGHPUT)."""
    out: dict[str, ConfigResult] = {}
    for config in configs:
        for preset in config.presets:
            out[preset] = config
    return out


def best_feasible_preset(configs: Sequence[ConfigResult]) -> tuple[str, ConfigResult] | None:
    presets = [(name, c) for name, c in preset_results(configs).items() if c.feasible]
    return max(presets, key=lambda item: item[1].throughput_fps, default=None)
