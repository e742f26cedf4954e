"""Re-measure an exported config against the hint presets on this machine, now — a regression
check for CI after a driver, OpenVINO or hardware change."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autotune.config import BATCH_DEVICE, PRESET_HINTS, preset_config
from autotune.confirm import confirmation_window_s
from autotune.export import load_config
from autotune.lock import machine_lock
from autotune.measure import Window, constrained_latency
from autotune.objective import default_trial_timeout
from autotune.stats import Interval, median_interval, paired_ratio
from autotune.worker import IsolatedRunner, TrialFailure

DEFAULT_ROUNDS = 5


@dataclass(frozen=True)
class ValidationResult:
    """What validate measured and concluded."""

    label: str
    throughput: Interval
    constrained_latency_ms: float
    limit_ms: float | None
    percentile: float
    hints: dict[str, Interval]
    hint_latency_ms: dict[str, float]
    ratios: dict[str, Interval]
    recorded_fps: float | None
    meets_limit: bool
    beats_hints: bool
    verdict: str
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.meets_limit and self.beats_hints

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "ok": self.ok,
            "meets_limit": self.meets_limit,
            "beats_hints": self.beats_hints,
            "throughput_fps": self.throughput.to_dict(),
            "constrained_latency_ms": self.constrained_latency_ms,
            "limit_ms": self.limit_ms,
            "percentile": self.percentile,
            "hints": {k: v.to_dict() for k, v in self.hints.items()},
            "hint_latency_ms": self.hint_latency_ms,
            "ratios": {k: v.to_dict() for k, v in self.ratios.items()},
            "recorded_fps": self.recorded_fps,
            "verdict": self.verdict,
            "problems": list(self.problems),
        }


def _preset_device(device: str) -> str:
    """The device the hints run on: BATCH:CPU(4) → CPU; CPU and AUTO as they are."""
    if device.startswith(BATCH_DEVICE + ":"):
        return device.split(":", 1)[1].split("(", 1)[0]
    return device


def validate(
    path: str | Path,
    *,
    rounds: int = DEFAULT_ROUNDS,
    window_s: float | None = None,
    max_latency_ms: float | None = None,
) -> ValidationResult:
    """Measure the config and the LATENCY/THROUGHPUT presets interleaved; judge the limit on the
    upper quartile of per-round percentiles and the gain on paired per-round ratios."""
    config = load_config(path)
    doc = config.document
    constraint = doc.get("constraint") or {}
    limit = max_latency_ms if max_latency_ms is not None else constraint.get("max_latency_ms")
    percent = float(constraint.get("percentile") or 90.0)
    tuned = config.runtime_config
    device = _preset_device(config.device)
    candidates = [tuned, *(preset_config(h, device) for h in PRESET_HINTS)]
    window = window_s or confirmation_window_s(2.0)
    payload = {
        "model_path": config.model,
        "shape": config.base_shape,
        "configs": [c.to_dict() for c in candidates],
        "rounds": rounds,
        "window_s": window,
        "percent": percent,
    }
    timeout = default_trial_timeout(window) + 3 * len(candidates) * rounds * window
    with IsolatedRunner() as runner, machine_lock():
        try:
            result = runner.call("measure_interleaved", payload, timeout_s=timeout)
        except TrialFailure as exc:
            from autotune.errors import ValidationFailedError

            raise ValidationFailedError(
                f"the config no longer runs here: {exc.reason}",
                "re-run autotune search on this machine",
            ) from None
    measured = [[Window.from_dict(w) for w in c["windows"]] for c in result["configs"]]
    return judge(doc, measured, limit, percent, rounds)


def judge(
    doc: dict[str, Any],
    measured: list[list[Window]],
    limit: float | None,
    percent: float,
    rounds: int,
) -> ValidationResult:
    """Pure decision from the interleaved windows: [config, LATENCY, THROUGHPUT]."""
    tuned, *hint_windows = measured
    fps = [w.throughput_fps for w in tuned]
    latency = constrained_latency(tuned, percent)
    hints = {
        h: median_interval([w.throughput_fps for w in ws])
        for h, ws in zip(PRESET_HINTS, hint_windows, strict=True)
    }
    hint_latency = {
        h: constrained_latency(ws, percent)
        for h, ws in zip(PRESET_HINTS, hint_windows, strict=True)
    }
    ratios = {
        h: paired_ratio(fps, [w.throughput_fps for w in ws])
        for h, ws in zip(PRESET_HINTS, hint_windows, strict=True)
    }
    meets = limit is None or latency <= limit
    feasible_hints = [h for h in PRESET_HINTS if limit is None or hint_latency[h] <= limit]
    best_hint = max(feasible_hints, key=lambda h: hints[h].estimate, default=None)
    problems = []
    if not meets:
        problems.append(f"p{percent:g} latency {latency:.2f} ms is over the limit {limit:g} ms")
    beats = True
    if best_hint is not None and not doc.get("preset"):
        ratio = ratios[best_hint]
        beats = ratio.high >= 1.0  # only a significant loss fails the check
        if not beats:
            problems.append(
                f"it is now slower than the {best_hint} hint: ratio {ratio.estimate:.2f} "
                f"(95% CI {ratio.low:.2f}–{ratio.high:.2f})"
            )
    recorded = (doc.get("metrics") or {}).get("throughput_fps")
    median_fps = median_interval(fps)
    if problems:
        verdict = "FAIL: " + "; ".join(problems)
    else:
        gain = f", {ratios[best_hint].estimate:.2f}× the {best_hint} hint" if best_hint else ""
        verdict = f"OK: meets its limit ({latency:.2f} ms){gain}"
    if recorded and math.isfinite(median_fps.estimate):
        verdict += f"; {median_fps.estimate:.1f} FPS now vs {recorded:.1f} recorded"
    return ValidationResult(
        label=str(doc.get("label", doc.get("device", ""))),
        throughput=median_fps,
        constrained_latency_ms=latency,
        limit_ms=limit,
        percentile=percent,
        hints=hints,
        hint_latency_ms=hint_latency,
        ratios=ratios,
        recorded_fps=float(recorded) if recorded else None,
        meets_limit=meets,
        beats_hints=beats,
        verdict=verdict,
        problems=tuple(problems),
    )
