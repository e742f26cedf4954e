"""Whether a set of windows can be trusted: which windows count (steal-flagged ones are left
out while enough clean ones remain) and a pyperf-style verdict with remedies."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from autotune.measure._window import MIN_REQUESTS_PER_WINDOW, MIN_WINDOWS, Window

# Stability verdict thresholds (pyperf uses 10 % std dev and 50 % min/max spread).
UNSTABLE_COV = 0.10
UNSTABLE_SPREAD = 0.50
STABILITY_REMEDY = (
    "use a longer --trial-time (e.g. 5s), run on a quieter machine, "
    "and stop other jobs while measuring"
)


@dataclass(frozen=True)
class Stability:
    """pyperf-style verdict on a set of windows."""

    cov: float  # std dev / mean of window throughputs
    spread: float  # (max - min) / median of window throughputs
    warnings: tuple[str, ...] = ()

    @property
    def stable(self) -> bool:
        return not self.warnings

    def to_dict(self) -> dict[str, Any]:
        return {"cov": self.cov, "spread": self.spread, "warnings": list(self.warnings)}


def select_windows(windows: Sequence[Window]) -> tuple[Window, ...]:
    """The windows a score is computed from: the unflagged ones when at least MIN_WINDOWS of
    them remain, otherwise all (and the stability verdict says why)."""
    clean = tuple(w for w in windows if not w.flagged)
    return clean if len(clean) >= MIN_WINDOWS else tuple(windows)


def judge_stability(windows: Sequence[Window], *, short: bool = False) -> Stability:
    """Warn, with remedies, when the windows disagree or are too small to trust."""
    used = select_windows(windows)
    values = [w.throughput_fps for w in used]
    if not values:
        return Stability(cov=math.nan, spread=math.nan, warnings=("no window was measured",))
    mean = statistics.fmean(values)
    cov = statistics.stdev(values) / mean if len(values) > 1 and mean > 0 else 0.0
    med = statistics.median(values)
    spread = (max(values) - min(values)) / med if med > 0 else 0.0
    warnings: list[str] = []
    if cov >= UNSTABLE_COV:
        warnings.append(f"throughput varies {cov:.0%} between windows (std dev / mean)")
    if spread >= UNSTABLE_SPREAD:
        warnings.append(f"slowest and fastest windows differ by {spread:.0%} of the median")
    if len(used) < MIN_WINDOWS:
        warnings.append(f"only {len(used)} windows")
    few = [w for w in used if w.requests < MIN_REQUESTS_PER_WINDOW]
    if few or short:
        warnings.append(
            f"windows hold fewer than {MIN_REQUESTS_PER_WINDOW} requests "
            "(the model is slow for this --trial-time)"
        )
    flagged = [w for w in windows if w.flagged]
    if flagged:
        worst = max(w.steal for w in flagged)
        warnings.append(
            f"{len(flagged)} of {len(windows)} windows had heavy CPU steal (up to {worst:.0%})"
        )
    return Stability(cov=cov, spread=spread, warnings=tuple(warnings))
