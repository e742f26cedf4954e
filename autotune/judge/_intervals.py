"""Intervals whose stated confidence holds at the sample sizes we have (5–15 rounds).

The median of n values is bracketed by two order statistics, x(k) and x(n−k+1); the chance that
this interval misses the true median is exactly 2·P(Binomial(n, ½) ≤ k−1), whatever the
distribution. So the interval is distribution-free and its confidence is known exactly — unlike
a bootstrap percentile interval, whose coverage at n = 5 is far below its label. We pick the
narrowest such interval that still reaches the requested confidence and report the confidence
it actually has (e.g. 97.9 % for 10 rounds).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

CONFIDENCE = 0.95
# The fewest values whose [min, max] reaches 95 %: 6 (96.9 %); 5 give 93.8 %.
MIN_PROVING_ROUNDS = 6


@dataclass(frozen=True)
class Interval:
    """An estimate (a median) with a distribution-free interval and its exact confidence."""

    estimate: float
    low: float
    high: float
    n: int
    confidence: float = CONFIDENCE

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Interval:
        return cls(
            **{k: data[k] for k in ("estimate", "low", "high", "n", "confidence") if k in data}
        )

    def format(self, digits: int = 2) -> str:
        """``1.12 [1.05, 1.19]``."""
        return f"{self.estimate:.{digits}f} [{self.low:.{digits}f}, {self.high:.{digits}f}]"

    def describe(self, digits: int = 2) -> str:
        """``97.9 % CI 1.05–1.19, 10 rounds`` — the confidence this interval really has."""
        return (
            f"{format_confidence(self.confidence)} CI {self.low:.{digits}f}–{self.high:.{digits}f}, "
            f"{self.n} rounds"
        )

    @property
    def reaches(self) -> bool:
        """The interval has the confidence that was asked for (too few values cannot)."""
        return self.n > 1 and self.confidence >= CONFIDENCE - 1e-9

    @property
    def above_one(self) -> bool:
        """A ratio significantly above 1: the whole interval above 1, at 95 % or more."""
        return self.reaches and self.low > 1.0

    @property
    def below_one(self) -> bool:
        """A ratio significantly below 1."""
        return self.reaches and self.high < 1.0

    def within(self, margin: float) -> bool:
        """A ratio proven equal to 1 up to ``margin``: the whole interval inside
        [1/(1+margin), 1+margin] (±5 % is [0.952, 1.05]; the band is symmetric on the log scale,
        so a÷b is inside exactly when b÷a is).

        This is an equivalence test (two one-sided tests, TOST) at the interval's own
        confidence: each side of a two-sided interval errs half as often as the whole, so the
        claim "equal" errs no more often than a claim "faster" made from the same interval.
        """
        return self.reaches and 1.0 / (1.0 + margin) <= self.low and self.high <= 1.0 + margin

    def tied(self, margin: float) -> bool:
        """Proven equal and not proven different: a ratio whose interval excludes 1 is an
        order (faster or slower) even when it is also inside the margin."""
        return self.within(margin) and not (self.above_one or self.below_one)


def format_confidence(confidence: float) -> str:
    """``0.9785`` → ``97.9 %``."""
    return f"{confidence * 100:.1f} %"


def format_margin(margin: float) -> str:
    """``0.05`` → ``±5 %``."""
    return f"±{margin * 100:g} %"


def coverage(n: int, k: int) -> float:
    """Exact confidence of [x(k), x(n−k+1)] as an interval for the median of n values."""
    if n <= 0 or k < 1 or 2 * k > n + 1:
        return 0.0
    tail = sum(math.comb(n, i) for i in range(k)) / 2**n
    return float(max(0.0, 1.0 - 2.0 * tail))


def order_rank(n: int, confidence: float = CONFIDENCE) -> tuple[int, float]:
    """The largest k whose interval [x(k), x(n−k+1)] still reaches ``confidence``, and its
    exact confidence. With too few values even [min, max] falls short: then k = 1 and the
    (lower) confidence it has."""
    best = (1, coverage(n, 1))
    for k in range(2, n // 2 + 1):
        achieved = coverage(n, k)
        if achieved < confidence:
            break
        best = (k, achieved)
    return best


def median_interval(values: Sequence[float], confidence: float = CONFIDENCE) -> Interval:
    """The median with its order-statistic interval (degenerate below 2 values)."""
    data = sorted(v for v in values if math.isfinite(v))
    if not data:
        return Interval(math.nan, math.nan, math.nan, 0, 0.0)
    estimate = statistics.median(data)
    if len(data) < 2:
        return Interval(estimate, estimate, estimate, 1, 0.0)
    k, achieved = order_rank(len(data), confidence)
    return Interval(estimate, data[k - 1], data[len(data) - k], len(data), achieved)


def paired_ratio(
    a: Sequence[float], b: Sequence[float], confidence: float = CONFIDENCE
) -> Interval:
    """Ratio a/b from paired rounds (round i of a measured next to round i of b).

    Pairing cancels the machine's slow drift. The estimate is the median of the per-round
    ratios (taken on logs), its interval the order-statistic interval of that median: the
    ratio is significantly above 1 exactly when a sign test says a beats b.
    """
    logs = [math.log(x / y) for x, y in zip(a, b, strict=True) if x > 0 and y > 0]
    if not logs:
        return Interval(math.nan, math.nan, math.nan, 0, 0.0)
    interval = median_interval(logs, confidence)
    return Interval(
        math.exp(interval.estimate),
        math.exp(interval.low),
        math.exp(interval.high),
        interval.n,
        interval.confidence,
    )


def round_ratios(a: Sequence[float], b: Sequence[float]) -> tuple[float | None, ...]:
    """a/b round by round, the values :func:`paired_ratio` takes the median of (None where a
    round measured nothing): one bad round stands out here."""
    return tuple(x / y if x > 0 and y > 0 else None for x, y in zip(a, b, strict=True))
