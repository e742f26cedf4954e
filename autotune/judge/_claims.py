"""Claims about a fraction, proven the way MLPerf's loadgen proves a tail latency.

"pXX ≤ limit" is a claim about the share of requests over the limit: at most 1 − XX/100 of
them. A sample of n requests with k over the limit shows it at confidence c when the exact
(Clopper–Pearson) upper bound on that share stays below 1 − XX/100, i.e. when
P(Binomial(n, 1 − XX/100) ≤ k) < 1 − c: were the share as large as allowed, so few requests
over the limit would be that unlikely. With none over, p99 at 99 % takes
n ≥ ln(0.01)/ln(0.99), 459 requests (loadgen's figure), and every request over the limit adds
more. 200 requests with none over show only that at most 2.3 % are over (1.5 % at 95 %).

The same arithmetic bounds an agreement rate: 32 of 32 top-1 answers agreeing with f32 shows
an agreement of at least 0.91 at 95 %, and showing ≥ 0.99 takes 299 samples.

Everything here is exact (binomial tails summed in log space), with no dependency beyond
``math``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

# A latency percentile is claimed at loadgen's confidence; an agreement rate at 95 %.
TAIL_CONFIDENCE = 0.99
AGREEMENT_CONFIDENCE = 0.95


def binomial_cdf(k: int, n: int, p: float) -> float:
    """P(Binomial(n, p) ≤ k), exact: the largest term in log space, the others by the ratio
    of neighbouring terms, summed until they no longer count."""
    if k < 0:
        return 0.0
    if k >= n or p <= 0.0:
        return 1.0
    if p >= 1.0:
        return 0.0
    log_p, log_q = math.log(p), math.log1p(-p)
    top = min(k, math.floor((n + 1) * p))  # the largest of the terms 0..k
    log_top = (
        math.lgamma(n + 1)
        - math.lgamma(top + 1)
        - math.lgamma(n - top + 1)
        + top * log_p
        + (n - top) * log_q
    )
    odds = math.exp(log_q - log_p)  # q/p
    total = term = 1.0
    for i in range(top, 0, -1):  # P(i-1) = P(i) · i q / ((n − i + 1) p)
        term *= i / (n - i + 1) * odds
        total += term
        if term < 1e-17 * total:
            break
    term = 1.0
    for i in range(top + 1, k + 1):  # P(i) = P(i-1) · (n − i + 1) p / (i q)
        term *= (n - i + 1) / i / odds
        total += term
        if term < 1e-17 * total:
            break
    return min(1.0, math.exp(log_top) * total)


def upper_bound(over: int, n: int, confidence: float) -> float:
    """The Clopper–Pearson upper bound on a share from ``over`` of ``n``: the largest share
    under which so few (or fewer) would still be seen with probability 1 − ``confidence``."""
    if n <= 0 or over >= n:
        return 1.0
    alpha = 1.0 - confidence
    if over <= 0:
        return float(1.0 - alpha ** (1.0 / n))
    low, high = over / n, 1.0
    for _ in range(60):
        mid = (low + high) / 2
        if binomial_cdf(over, n, mid) > alpha:
            low = mid
        else:
            high = mid
    return high


def lower_bound(over: int, n: int, confidence: float) -> float:
    """The Clopper–Pearson lower bound on a share from ``over`` of ``n`` (0 when none): the
    smallest share under which so many (or more) would still be seen with probability
    1 − ``confidence``."""
    if n <= 0 or over <= 0:
        return 0.0
    alpha = 1.0 - confidence
    if over >= n:
        return float(alpha ** (1.0 / n))
    low, high = 0.0, over / n
    for _ in range(60):
        mid = (low + high) / 2
        if 1.0 - binomial_cdf(over - 1, n, mid) < alpha:  # P(X ≥ over) too small: p is higher
            low = mid
        else:
            high = mid
    return low


def shows(over: int, n: int, allowed: float, confidence: float) -> bool:
    """Whether ``over`` of ``n`` shows, at ``confidence``, that at most ``allowed`` of all are
    over (the binomial test: P(Binomial(n, allowed) ≤ over) < 1 − confidence)."""
    return n > 0 and binomial_cdf(over, n, allowed) < 1.0 - confidence


def _least(holds: Callable[[int], bool], low: int, high: int) -> int:
    """The least n in (``low``, ``high``] for which ``holds`` (false at ``low``, true at
    ``high``, and monotone between)."""
    while high - low > 1:
        mid = (low + high) // 2
        if holds(mid):
            high = mid
        else:
            low = mid
    return high


def samples_needed(over: int, allowed: float, confidence: float) -> int:
    """The fewest samples with which ``over`` of them over the line still shows that at most
    ``allowed`` are (loadgen: 459 for p99 at 99 % with none over, 662 with one)."""
    if not 0.0 < allowed < 1.0:
        return max(0, over) + 1 if allowed >= 1.0 else 0
    over = max(0, over)
    high = max(over + 1, 2)
    while not shows(over, high, allowed, confidence):
        high *= 2
    return _least(lambda n: shows(over, n, allowed, confidence), over, high)


def samples_at_share(share: float, allowed: float, confidence: float, most: int = 10**7) -> int:
    """The fewest samples that show at most ``allowed`` over the line when ``share`` of them
    are; ``most`` + 1 when more than ``most`` would (or none: ``share`` ≥ ``allowed``)."""
    if share >= allowed:
        return most + 1
    first = samples_needed(0, allowed, confidence)
    if share <= 0:
        return first

    def enough(n: int) -> bool:
        return shows(math.ceil(share * n - 1e-9), n, allowed, confidence)

    high = first
    while not enough(high):
        if high > most:
            return most + 1
        high *= 2
    return _least(enough, max(first - 1, high // 2), high)


def max_over(n: int, allowed: float, confidence: float) -> int:
    """The most samples of ``n`` that may be over the line with the claim still shown (−1:
    ``n`` samples cannot show it even with none over)."""
    if not shows(0, n, allowed, confidence):
        return -1
    return _least(lambda k: not shows(k, n, allowed, confidence), 0, n) - 1


def proven_percentile(values: list[float], percent: float, confidence: float) -> float:
    """The least latency x that ``values`` show pXX ≤ x for at ``confidence`` (∞ when they are
    too few): the (k+1)-th largest, where k is the most values allowed over."""
    ordered = sorted(values)
    k = max_over(len(ordered), 1.0 - percent / 100.0, confidence)
    return math.inf if k < 0 else ordered[len(ordered) - 1 - k]


@dataclass(frozen=True)
class Claim:
    """``over`` of ``n`` samples crossed a line; the claim is that at most ``allowed`` of all
    do (``1 − XX/100`` for "pXX ≤ limit", ``1 − minimum`` for an agreement rate)."""

    n: int
    over: int
    allowed: float
    confidence: float

    @property
    def holds(self) -> bool:
        """The sample shows the claim at its confidence."""
        return shows(self.over, self.n, self.allowed, self.confidence)

    @property
    def refuted(self) -> bool:
        """The sample shows the opposite: more than ``allowed`` are over, at its confidence."""
        return lower_bound(self.over, self.n, self.confidence) > self.allowed

    @property
    def bound(self) -> float:
        """The upper bound on the share over the line (an agreement's lower bound is 1 − it)."""
        return upper_bound(self.over, self.n, self.confidence)

    @property
    def needed(self) -> int:
        """Samples the claim takes with this many over the line (and no more)."""
        return samples_needed(self.over, self.allowed, self.confidence)

    @property
    def observed(self) -> float:
        return self.over / self.n if self.n else math.nan

    def to_dict(self) -> dict[str, float | int | bool]:
        return {
            "n": self.n,
            "over": self.over,
            "allowed": self.allowed,
            "confidence": self.confidence,
            "bound": self.bound,
            "holds": self.holds,
            "needed": self.needed,
        }


def tail_claim(n: int, over: int, percent: float, confidence: float = TAIL_CONFIDENCE) -> Claim:
    """ "pXX ≤ limit" from ``over`` of ``n`` requests over the limit."""
    return Claim(n, over, 1.0 - percent / 100.0, confidence)


def agreement_claim(
    agree: int, n: int, minimum: float, confidence: float = AGREEMENT_CONFIDENCE
) -> Claim:
    """ "agreement ≥ minimum" from ``agree`` of ``n`` samples agreeing."""
    return Claim(n, n - agree, 1.0 - minimum, confidence)


def format_share(value: float) -> str:
    """``0.0153`` → ``1.5 %``; ``0.00098`` → ``0.098 %``."""
    return f"{value * 100:.2g} %" if value < 0.01 else f"{value * 100:.1f} %"


@dataclass(frozen=True)
class Evidence:
    """Requests measured under one condition (one offered rate, one config): how many, how
    many over the limit, and how those came in bursts (sums of squared burst sizes, over the
    limit and over the near tail: see :func:`autotune.measure.bursts`)."""

    arrivals: int = 0
    over: int = 0
    over_sq: int = 0
    near: int = 0
    near_sq: int = 0

    def __add__(self, other: Evidence) -> Evidence:
        return Evidence(
            self.arrivals + other.arrivals,
            self.over + other.over,
            self.over_sq + other.over_sq,
            self.near + other.near,
            self.near_sq + other.near_sq,
        )

    @property
    def spread(self) -> float:
        """How much more the count over the limit varies than independent arrivals would
        make it: the size-biased mean burst size, over the limit or over the near tail (the
        larger; 1 without bursts). A burst of 20 requests behind one stall is one piece of
        evidence, not 20."""
        sizes = [1.0]
        if self.over:
            sizes.append(self.over_sq / self.over)
        if self.near:
            sizes.append(self.near_sq / self.near)
        return max(sizes)

    def claim(self, allowed: float, confidence: float) -> Claim:
        """The rule on the effective counts: arrivals and the count over the limit divided by
        the spread (rounded against the claim)."""
        spread = self.spread
        return Claim(
            math.floor(self.arrivals / spread),
            math.ceil(self.over / spread - 1e-9),
            allowed,
            confidence,
        )

    def needed(self, allowed: float, confidence: float, most: int = 10**7) -> int:
        """Arrivals a claim takes at this spread and share over the limit (more than
        ``most``: ``most`` + 1)."""
        share = self.over / self.arrivals if self.arrivals else 0.0
        effective = samples_at_share(share, allowed, confidence, math.ceil(most / self.spread))
        return min(most + 1, math.ceil(effective * self.spread))
