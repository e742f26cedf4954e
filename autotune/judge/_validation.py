"""The regression check behind ``autotune validate``: does an exported config still meet its
latency limit (in the server scenario: does its stated rate still hold, proven again), and is
it not now significantly slower than the best hint?"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from autotune.judge._claims import format_share
from autotune.judge._figures import constrained_latency, tail_evidence
from autotune.judge._intervals import Interval, median_interval, paired_ratio
from autotune.judge._proof import RateClaim
from autotune.measure import Window


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
    holds_rate: bool = True  # server scenario: still holds --rate
    unit: str = "FPS"  # "req/s" when the figure is the sustainable rate
    claim: RateClaim | None = None  # server scenario: the stated rate, proven again

    @property
    def ok(self) -> bool:
        return self.meets_limit and self.beats_hints and self.holds_rate

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "ok": self.ok,
            "meets_limit": self.meets_limit,
            "beats_hints": self.beats_hints,
            "throughput_fps": self.throughput.to_dict(),
            "unit": self.unit,
            "holds_rate": self.holds_rate,
            "constrained_latency_ms": self.constrained_latency_ms,
            "limit_ms": self.limit_ms,
            "percentile": self.percentile,
            "hints": {k: v.to_dict() for k, v in self.hints.items()},
            "hint_latency_ms": self.hint_latency_ms,
            "ratios": {k: v.to_dict() for k, v in self.ratios.items()},
            "recorded_fps": self.recorded_fps,
            "verdict": self.verdict,
            "problems": list(self.problems),
            "claim": self.claim.to_dict() if self.claim is not None else None,
        }


def judge_validation(
    label: str,
    is_hint: bool,
    config_windows: Sequence[Window],
    hint_windows: dict[str, Sequence[Window]],
    *,
    limit_ms: float | None,
    percent: float,
    recorded_fps: float | None,
    min_rate: float | None = None,
    unit: str = "FPS",
    claim: RateClaim | None = None,
) -> ValidationResult:
    """Pure decision from the interleaved rounds of the config and of each hint preset (in the
    server scenario a round's figure is the sustainable rate, checked against ``min_rate``).
    The limit is the study's rule: the upper quartile of the rounds' percentiles, or the
    requests over the limit where the windows are too short for their percentile; in the
    server scenario with a ``claim``, the proof of the stated rate decides it."""
    fps = [w.throughput_fps for w in config_windows]
    latency = constrained_latency(config_windows, percent)
    tail = tail_evidence(config_windows, percent) if limit_ms is not None else None
    hints = {h: median_interval([w.throughput_fps for w in ws]) for h, ws in hint_windows.items()}
    hint_latency = {h: constrained_latency(ws, percent) for h, ws in hint_windows.items()}
    ratios = {
        h: paired_ratio(fps, [w.throughput_fps for w in ws]) for h, ws in hint_windows.items()
    }
    meets = limit_ms is None or latency <= limit_ms
    if tail is not None:
        meets = tail.holds
    if claim is not None:
        meets = claim.proven
    feasible_hints = [h for h in hints if limit_ms is None or hint_latency[h] <= limit_ms]
    best_hint = max(feasible_hints, key=lambda h: hints[h].estimate, default=None)
    problems = []
    if not meets and claim is not None:
        problems.append(claim.describe())
    elif not meets and tail is not None and latency <= (limit_ms or 0.0):
        problems.append(
            f"p{percent:g} ≤ {limit_ms:g} ms is not shown on its few requests: {tail.over} of "
            f"{tail.n} over it (up to {format_share(tail.bound)} at 99 %; showing it takes "
            f"{tail.needed})"
        )
    elif not meets:
        problems.append(f"p{percent:g} latency {latency:.2f} ms is over the limit {limit_ms:g} ms")
    beats = True
    if best_hint is not None and not is_hint:
        ratio = ratios[best_hint]
        beats = not ratio.below_one  # only a significant loss fails the check
        if not beats:
            problems.append(
                f"it is now slower than the {best_hint} hint: ratio {ratio.estimate:.2f} "
                f"({ratio.describe()})"
            )
    now = median_interval(fps)
    holds_rate = min_rate is None or now.estimate >= min_rate
    if not holds_rate:
        problems.append(f"it now holds {now.estimate:.1f} req/s < {min_rate:g} req/s")
    if problems:
        verdict = "FAIL: " + "; ".join(problems)
    else:
        gain = f", {ratios[best_hint].estimate:.2f}× the {best_hint} hint" if best_hint else ""
        shown = claim.describe() if claim is not None else f"{latency:.2f} ms"
        verdict = f"OK: meets its limit ({shown}){gain}"
    if recorded_fps and math.isfinite(now.estimate):
        verdict += f"; {now.estimate:.1f} {unit} now vs {recorded_fps:.1f} recorded"
    return ValidationResult(
        label=label,
        throughput=now,
        constrained_latency_ms=latency,
        limit_ms=limit_ms,
        percentile=percent,
        hints=hints,
        hint_latency_ms=hint_latency,
        ratios=ratios,
        recorded_fps=recorded_fps,
        meets_limit=meets,
        beats_hints=beats,
        verdict=verdict,
        problems=tuple(problems),
        holds_rate=holds_rate,
        unit=unit,
    )
