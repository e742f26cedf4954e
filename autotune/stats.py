"""Small statistics for comparisons on noisy machines: paired ratios with bootstrap intervals."""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

CONFIDENCE = 0.95
RESAMPLES = 2000


@dataclass(frozen=True)
class Interval:
    """An estimate with a (bootstrap percentile) confidence interval."""

    estimate: float
    low: float
    high: float
    n: int
    confidence: float = CONFIDENCE

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Interval:
        return cls(**data)

    def format(self, digits: int = 2) -> str:
        return f"{self.estimate:.{digits}f} [{self.low:.{digits}f}, {self.high:.{digits}f}]"


def _bootstrap_median(values: Sequence[float], seed: int) -> tuple[float, float]:
    rng = random.Random(seed)
    n = len(values)
    medians = sorted(statistics.median(rng.choices(values, k=n)) for _ in range(RESAMPLES))
    alpha = (1 - CONFIDENCE) / 2
    return medians[int(alpha * RESAMPLES)], medians[
        min(RESAMPLES - 1, int((1 - alpha) * RESAMPLES))
    ]


def median_interval(values: Sequence[float], seed: int = 0) -> Interval:
    """Median with a bootstrap interval (degenerate with fewer than 2 values)."""
    data = [v for v in values if math.isfinite(v)]
    if not data:
        return Interval(math.nan, math.nan, math.nan, 0)
    estimate = statistics.median(data)
    if len(data) < 2:
        return Interval(estimate, estimate, estimate, len(data))
    low, high = _bootstrap_median(data, seed)
    return Interval(estimate, low, high, len(data))


def paired_ratio(a: Sequence[float], b: Sequence[float], seed: int = 0) -> Interval:
    """Ratio a/b from paired rounds (round i of a measured next to round i of b).

    Pairing cancels the machine's slow drift: the estimate is the median of per-round ratios
    (geometric, via logs), its interval a bootstrap of that median.
    """
    logs = [math.log(x / y) for x, y in zip(a, b, strict=True) if x > 0 and y > 0]
    if not logs:
        return Interval(math.nan, math.nan, math.nan, 0)
    estimate = math.exp(statistics.median(logs))
    if len(logs) < 2:
        return Interval(estimate, estimate, estimate, 1)
    low, high = _bootstrap_median(logs, seed)
    return Interval(estimate, math.exp(low), math.exp(high), len(logs))
