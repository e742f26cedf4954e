"""The sustainable rate: the highest Poisson arrival rate at which the chosen latency percentile
stays under the limit, found in a bounded number of open-loop windows.

From a start (0.8× the closed-loop throughput in a trial, the trial's own rate in confirmation
rounds) the search steps up while probes pass and down while they fail, then bisects the
bracket on a log scale until it is within ``tolerance``. Each probe is one :func:`run_load`
window long enough to hold ``min_requests`` arrivals (200: a p99 is then the second-slowest
request), capped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from autotune.measure._arrivals import poisson_arrivals
from autotune.measure._serving import Clock, LoadPoint, OpenPool, run_load
from autotune.measure._stability import Stability
from autotune.measure._window import DISPLAY_PERCENTILES, Window

MIN_REQUESTS_PER_PROBE = 200  # a p99 is then the second-slowest request


@dataclass(frozen=True)
class RatePlan:
    """How one sustainable-rate search probes."""

    start: float  # requests/s of the first probe
    window_s: float  # a probe's length, stretched to hold min_requests (up to max_window_s)
    max_window_s: float
    probes: int = 6
    up: float = 1.25  # step while every probe passed
    down: float = 0.5  # step while every probe failed
    tolerance: float = 0.05  # stop once lowest fail / highest pass ≤ 1 + tolerance
    floor: float = 0.0  # below this rate the config is hopeless: stop
    min_requests: int = MIN_REQUESTS_PER_PROBE
    extra_until_held: int = 0  # more probes allowed while no rate has held yet

    def duration(self, rate: float) -> float:
        return min(self.max_window_s, max(self.window_s, self.min_requests / rate))


@dataclass(frozen=True)
class RateSearch:
    """The outcome: the highest rate that held, and every probe on the way."""

    rate: float  # requests/s; 0 when no probe held the limit
    points: tuple[LoadPoint, ...]
    at_rate: LoadPoint  # the probe at ``rate`` (or, when none held, the slowest probe)
    lowest_fail: float | None

    @property
    def resolution(self) -> float | None:
        """lowest fail ÷ highest pass − 1: how tightly the rate is known (None: no bracket)."""
        if not self.rate or self.lowest_fail is None:
            return None
        return max(0.0, self.lowest_fail / self.rate - 1.0)

    def stability(self) -> Stability:
        """pyperf-style warnings for a rate search (there are no repeated windows to compare)."""
        warnings = []
        if not self.rate:
            warnings.append("no offered rate held the latency limit")
        elif self.resolution is None:
            warnings.append("every probe held the limit: the rate may be higher")
        elif self.resolution > 0.15:
            warnings.append(f"the rate is known within {self.resolution:.0%} only")
        short = [p for p in self.points if p.requests < MIN_REQUESTS_PER_PROBE // 2]
        if short:
            warnings.append(
                f"{len(short)} probes held fewer than {MIN_REQUESTS_PER_PROBE // 2} requests "
                "(the model is slow for this --trial-time)"
            )
        spread = self.resolution if self.resolution is not None else math.nan
        return Stability(cov=math.nan, spread=spread, warnings=tuple(warnings))


def probe(
    pool: OpenPool,
    rate: float,
    plan: RatePlan,
    *,
    limit_ms: float | None,
    percent: float,
    clock: Clock,
    seed: int,
    keep_distribution: bool = False,
) -> LoadPoint:
    """One open-loop window at ``rate``: Poisson arrivals for the plan's duration at that rate,
    then a drain of twice the limit (at least 50 ms; a second without a limit) for the
    stragglers; ``keep_distribution``: with the latencies' ECDF."""
    duration = plan.duration(rate)
    return run_load(
        pool,
        poisson_arrivals(rate, duration, seed),
        rate=rate,
        duration_s=duration,
        clock=clock,
        percentiles=sorted({*DISPLAY_PERCENTILES, percent}),
        drain_s=max(0.05, 2 * limit_ms / 1e3) if limit_ms is not None else 1.0,
        limit_ms=limit_ms,
        percent=percent,
        keep_distribution=keep_distribution,
    )


def fixed_probe(
    pool: OpenPool,
    rate: float,
    seconds: float,
    *,
    percent: float,
    limit_ms: float | None,
    clock: Clock,
    seed: int,
    keep_distribution: bool = False,
) -> LoadPoint:
    """One open-loop window of Poisson arrivals at ``rate`` for exactly ``seconds`` (a probe
    whose plan neither stretches nor shortens it): a proof window, an at-rate window."""
    plan = RatePlan(start=rate, window_s=seconds, max_window_s=seconds, min_requests=0)
    return probe(
        pool,
        rate,
        plan,
        limit_ms=limit_ms,
        percent=percent,
        clock=clock,
        seed=seed,
        keep_distribution=keep_distribution,
    )


def search_rate(
    pool: OpenPool,
    plan: RatePlan,
    *,
    limit_ms: float,
    percent: float,
    clock: Clock,
    seed: int = 0,
) -> RateSearch:
    """Find the highest rate whose ``percent`` latency stays within ``limit_ms``."""
    held: float | None = None
    failed: float | None = None
    points: list[LoadPoint] = []
    rate = plan.start
    for k in range(plan.probes + plan.extra_until_held):
        if k >= plan.probes and held is not None:
            break
        point = probe(
            pool, rate, plan, limit_ms=limit_ms, percent=percent, clock=clock, seed=seed + k
        )
        points.append(point)
        if point.meets(limit_ms, percent):
            held = rate if held is None else max(held, rate)
        else:
            failed = rate if failed is None else min(failed, rate)
        if held is not None and failed is not None:
            if failed / held <= 1 + plan.tolerance:
                break
            rate = math.sqrt(held * failed)
        elif held is not None:
            rate = held * plan.up
        else:
            rate = rate * plan.down
            if rate < plan.floor:
                break
    if held is not None:
        at_rate = next(p for p in reversed(points) if p.offered_rate == held)
    else:
        at_rate = min(points, key=lambda p: p.offered_rate)
    return RateSearch(rate=held or 0.0, points=tuple(points), at_rate=at_rate, lowest_fail=failed)


def rate_window(
    search: RateSearch,
    index: int,
    *,
    steal: float,
    iowait: float,
    cpu_util: float,
    flagged: bool,
) -> Window:
    """A search as the one window the judge reads: its "throughput" is the sustainable rate,
    its latencies those measured at that rate."""
    at = search.at_rate
    return Window(
        index=index,
        requests=at.completed,
        frames=at.completed,
        wall_s=sum(p.wall_s for p in search.points),
        throughput_fps=search.rate,
        latency_ms=dict(at.latency_ms),
        steal=steal,
        iowait=iowait,
        cpu_util=cpu_util,
        flagged=flagged,
    )


def load_curve(
    pool: OpenPool,
    rates: Sequence[float],
    *,
    window_s: float,
    max_window_s: float,
    limit_ms: float,
    percent: float,
    clock: Clock,
    seed: int = 0,
) -> list[LoadPoint]:
    """Latency against offered load at fixed rates (the "hockey stick")."""
    plan = RatePlan(start=0.0, window_s=window_s, max_window_s=max_window_s)
    return [
        probe(pool, rate, plan, limit_ms=limit_ms, percent=percent, clock=clock, seed=seed + k)
        for k, rate in enumerate(rates)
    ]
