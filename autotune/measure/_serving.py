"""Open-loop load (MLPerf's "Server" scenario): requests arrive on their own schedule and wait
for a free infer request when every one is busy.

A closed loop (benchmark_app's) resubmits a request the moment it finishes, so it measures the
ceiling and the latency *at* that ceiling. Behind a server, a request that arrives while every
request slot is busy waits, and that wait is part of what the user feels: here a request's
latency is its completion time minus its *scheduled* arrival time (queueing, any lateness of
the generator, and the time in the plugin all count).

The dispatcher is pure Python over an :class:`OpenPool` and a clock: the real runtime's pool
wakes it on completions from OpenVINO's callback threads; the simulated machine's pool jumps a
fake clock from event to event, which is how the tests check it against queueing theory.
"""

from __future__ import annotations

import bisect
import math
import statistics
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from autotune.measure._window import distribution, percentile, percentile_key

Clock = Callable[[], float]


class OpenPool(Protocol):
    """Infer requests started one job at a time, completions reported as they happen."""

    @property
    def size(self) -> int: ...

    @property
    def items(self) -> int:
        """Distinct inputs the requests cycle through (the shapes of a mix; 1 otherwise)."""
        ...

    def start(self, slot: int) -> None:
        """Start an inference on the idle request ``slot``."""
        ...

    def wait(self, deadline: float) -> list[tuple[int, float]]:
        """Block until at least one started inference completes or the clock reaches
        ``deadline``; return the completions as (slot, completion time)."""
        ...


@dataclass(frozen=True)
class LoadPoint:
    """One open-loop window at one offered rate."""

    offered_rate: float  # requests/s scheduled
    achieved_rate: float  # requests completed per second of the schedule
    requests: int  # arrivals scheduled
    completed: int
    dropped: int  # not completed when the window gave up (overload or the drain deadline)
    wall_s: float
    latency_ms: dict[str, float]  # completion − scheduled arrival; dropped ones count as ∞
    wait_ms: dict[str, float]  # scheduled arrival → start on a free request
    lateness_ms: float  # p99 delay of starting a request that found a free slot (generator)
    overloaded: bool  # stopped early: the backlog could no longer meet the limit
    # Requests over the limit the window was run against (dropped ones included), and the sum
    # of the squared sizes of the bursts they came in (see :func:`bursts`); the same for the
    # requests over the window's own near-tail percentile (p95 for a p99 limit). 0 without a
    # limit, and in records written before they were counted.
    over: int = 0
    over_sq: int = 0
    near: int = 0
    near_sq: int = 0
    # the latencies' ECDF, [[percent, ms], …] (:func:`distribution`), where it was asked for
    distribution: list[list[float]] = field(default_factory=list)

    def meets(self, limit_ms: float, percent: float) -> bool:
        return self.dropped == 0 and self.latency_ms[percentile_key(percent)] <= limit_ms

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LoadPoint:
        return cls(**data)


def _summary(values_ms: list[float], percentiles: Sequence[float]) -> dict[str, float]:
    ordered = sorted(values_ms)
    out = {percentile_key(p): percentile(ordered, p) for p in percentiles}
    finite = [v for v in ordered if math.isfinite(v)]
    out["mean"] = statistics.fmean(finite) if finite else math.nan
    out["max"] = ordered[-1] if ordered else math.nan
    return out


def near_percentile(percent: float) -> float:
    """The percentile whose exceedances show how a window's tail clusters when few requests
    cross the limit: five times the allowed share (p95 for p99), p75 at the lowest."""
    return max(75.0, 100.0 - 5.0 * (100.0 - percent))


def bursts(
    times: Sequence[float], latencies_ms: Sequence[float], threshold_ms: float, gap_ms: float
) -> tuple[int, int]:
    """(requests over ``threshold_ms``, the sum of the squared sizes of their bursts).

    Requests over a latency limit come in bursts: a stall or a long busy period delays every
    request behind it. A burst is a run of such requests each arriving within ``gap_ms`` (the
    limit) of the one before; the size-biased mean burst size (sum of squares ÷ count) is how
    much more a count over the limit varies than independent requests would make it vary."""
    count = squares = run = 0
    last = -math.inf
    gap = gap_ms / 1e3
    for t, latency in zip(times, latencies_ms, strict=True):
        if latency > threshold_ms:
            count += 1
            if t - last > gap:
                squares += run * run
                run = 0
            run += 1
            last = t
    return count, squares + run * run


# A probe gives up once this many requests already waited longer than twice the limit: the
# percentile cannot come back under it, and an overloaded queue only grows.
OVERLOAD_LATE_FRACTION = 0.02
OVERLOAD_MIN_LATE = 20


def run_load(
    pool: OpenPool,
    arrivals: Sequence[float],
    *,
    rate: float,
    duration_s: float,
    clock: Clock,
    percentiles: Sequence[float],
    drain_s: float,
    limit_ms: float | None = None,
    percent: float = 99.0,
    keep_distribution: bool = False,
) -> LoadPoint:
    """Offer ``arrivals`` (seconds from now; a schedule of ``rate`` per second over
    ``duration_s``) to ``pool`` and measure each request's latency.

    Jobs are started in arrival order (FIFO) on free requests. The window ends when every
    request completed, or ``drain_s`` after the last arrival (the rest count as dropped), or
    early when ``limit_ms`` can no longer be met at ``percent``.
    """
    t0 = clock()
    times = [t0 + a for a in arrivals]
    n = len(times)
    idle = list(range(pool.size))
    job_on = [-1] * pool.size
    queue: deque[int] = deque()
    started = [math.nan] * n
    done = [math.nan] * n
    lateness: list[float] = []
    arrived = active = 0
    give_up_at = (times[-1] if n else t0) + drain_s
    allowed_late = max(OVERLOAD_MIN_LATE, int(n * min(OVERLOAD_LATE_FRACTION, 1 - percent / 100)))
    overloaded = False
    while True:
        now = clock()
        fresh = arrived
        while arrived < n and times[arrived] <= now:
            queue.append(arrived)
            arrived += 1
        while queue and idle:
            job = queue.popleft()
            slot = idle.pop()
            job_on[slot] = job
            started[job] = now
            if job >= fresh:  # it arrived just now and found a free request
                lateness.append(now - times[job])
            pool.start(slot)
            active += 1
        if arrived == n and not queue and active == 0:
            break
        if now >= give_up_at:
            break
        if limit_ms is not None and queue:
            # The queue is a run of consecutive arrivals, so the late ones are its head.
            late = bisect.bisect_left(times, now - 2 * limit_ms / 1e3, queue[0], arrived)
            if late - queue[0] >= allowed_late:
                overloaded = True
                break
        deadline = times[arrived] if arrived < n else give_up_at
        for slot, finished in pool.wait(deadline):
            done[job_on[slot]] = finished
            idle.append(slot)
            active -= 1
    end = clock()
    while active:  # let in-flight inferences finish (they count as dropped) before the next use
        for slot, _ in pool.wait(clock() + 60.0):
            idle.append(slot)
            active -= 1
    latencies = [
        (done[j] - times[j]) * 1e3 if math.isfinite(done[j]) else math.inf for j in range(n)
    ]
    waits = [(started[j] - times[j]) * 1e3 for j in range(n) if math.isfinite(started[j])]
    completed = sum(1 for j in range(n) if math.isfinite(done[j]))
    over = over_sq = near = near_sq = 0
    if limit_ms is not None and n:
        over, over_sq = bursts(times, latencies, limit_ms, limit_ms)
        near_ms = percentile(sorted(latencies), near_percentile(percent))
        if math.isfinite(near_ms):
            near, near_sq = bursts(times, latencies, near_ms, limit_ms)
    return LoadPoint(
        offered_rate=rate,
        achieved_rate=completed / duration_s if duration_s > 0 else 0.0,
        requests=n,
        completed=completed,
        dropped=n - completed,
        wall_s=end - t0,
        latency_ms=_summary(latencies, percentiles),
        wait_ms=_summary(waits, percentiles),
        lateness_ms=percentile(sorted(lateness), 99) * 1e3 if lateness else 0.0,
        overloaded=overloaded,
        over=over,
        over_sq=over_sq,
        near=near,
        near_sq=near_sq,
        distribution=distribution(latencies) if keep_distribution else [],
    )


def warm_pool(pool: OpenPool, clock: Clock) -> None:
    """Run every request once and every distinct input (a shape of a mix) once, unmeasured:
    a request's first inference is slower, and so is a dynamic model's first run at a shape."""
    for slot in range(pool.size):
        pool.start(slot)
    started, remaining = pool.size, pool.size
    while remaining:
        done = pool.wait(clock() + 60.0)
        remaining -= len(done)
        for slot, _ in done:
            if started < pool.items:
                pool.start(slot)
                started += 1
                remaining += 1
