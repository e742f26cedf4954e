"""The multi-stream scenario (MLPerf's MultiStream): K periodic sources — cameras at F
frames/s, each with its own phase — feed the config's request pool; a frame's latency counts
from the moment it fell due, so waiting for a free request counts.

It is the server scenario's open-loop machinery (:func:`~autotune.measure.run_load` over an
:class:`~autotune.measure.OpenPool`) with another arrival process. The figure is either the
most sources a config holds with the chosen percentile under the limit (an integer search
like the sustainable rate's), or, with a fixed count, that percentile at K sources.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from autotune.measure._arrivals import periodic_arrivals
from autotune.measure._cpu import CpuSample
from autotune.measure._rate import MIN_REQUESTS_PER_PROBE
from autotune.measure._run import Measurement, WindowPlan
from autotune.measure._server import _Timed, open_loop_start
from autotune.measure._serving import Clock, LoadPoint, OpenPool, run_load, warm_pool
from autotune.measure._stability import Stability
from autotune.measure._window import DISPLAY_PERCENTILES, Window

if TYPE_CHECKING:
    from autotune.measure._backend import Session

# Probes of one search for the most sources, and of a confirmation round.
STREAM_PROBES = 7
ROUND_STREAM_PROBES = 3
# A probe lasts at least this many latency limits. Periodic sources overload a config only
# mildly at first: at 5 % over its capacity the backlog grows by 5 % of the elapsed time, so
# only after 20 limits does it push the late frames past the limit. A shorter window would
# count a config that cannot keep up as holding the sources.
LIMITS_PER_PROBE = 20


@dataclass(frozen=True)
class StreamPlan:
    """How one multi-stream probe runs: ``fps`` per source, windows stretched to hold
    ``min_frames`` frames (up to ``max_window_s``), a drain of twice the limit."""

    fps: float
    window_s: float
    max_window_s: float
    limit_ms: float | None
    percent: float
    min_frames: int = MIN_REQUESTS_PER_PROBE

    def duration(self, sources: int) -> float:
        rate = sources * self.fps
        long_enough = LIMITS_PER_PROBE * self.limit_ms / 1e3 if self.limit_ms else 0.0
        return max(long_enough, min(self.max_window_s, max(self.window_s, self.min_frames / rate)))


def probe_sources(
    pool: OpenPool,
    sources: int,
    plan: StreamPlan,
    *,
    clock: Clock,
    seed: int,
    keep_distribution: bool = False,
) -> LoadPoint:
    """One open-loop window of ``sources`` periodic sources (``offered_rate`` = frames/s)."""
    duration = plan.duration(sources)
    limit = plan.limit_ms
    return run_load(
        pool,
        periodic_arrivals(sources, plan.fps, duration, seed),
        rate=sources * plan.fps,
        duration_s=duration,
        clock=clock,
        percentiles=sorted({*DISPLAY_PERCENTILES, plan.percent}),
        drain_s=max(0.05, 2 * (limit if limit is not None else 1e3 / plan.fps) / 1e3),
        limit_ms=limit,
        percent=plan.percent,
        keep_distribution=keep_distribution,
    )


@dataclass(frozen=True)
class StreamSearch:
    """The most sources held (0: not even one), and every probe on the way."""

    sources: int
    points: tuple[LoadPoint, ...]
    at: LoadPoint  # the probe at ``sources`` (or, when none held, the smallest count tried)
    lowest_fail: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "sources_held": self.sources,
            "lowest_fail": self.lowest_fail,
            "points": [p.to_dict() for p in self.points],
        }


def search_sources(
    pool: OpenPool,
    plan: StreamPlan,
    *,
    start: int,
    clock: Clock,
    probes: int = STREAM_PROBES,
    seed: int = 0,
) -> StreamSearch:
    """The most sources whose latency percentile stays within the limit: up by a quarter (at
    least one) while probes pass, halve while they fail, then bisect the integers between the
    highest count held and the lowest that failed."""
    assert plan.limit_ms is not None, "counting sources needs a latency limit"
    held: int | None = None
    failed: int | None = None
    points: list[LoadPoint] = []
    tried: dict[int, LoadPoint] = {}
    k = max(1, start)
    for i in range(probes + 2):  # two more while nothing has held yet
        if i >= probes and held is not None:
            break
        point = probe_sources(pool, k, plan, clock=clock, seed=seed + i)
        points.append(point)
        tried[k] = point
        if point.meets(plan.limit_ms, plan.percent):
            held = max(held or 0, k)
        else:
            failed = k if failed is None else min(failed, k)
        if held is not None and failed is not None:
            if failed - held <= 1:
                break
            k = (held + failed) // 2
        elif held is not None:
            k = max(held + 1, math.ceil(held * 1.25))
        elif k == 1:
            break  # one source fails: the config holds none
        else:
            k = max(1, k // 2)
    at = tried[held] if held is not None else tried[min(tried)]
    return StreamSearch(sources=held or 0, points=tuple(points), at=at, lowest_fail=failed)


def stream_window(
    point: LoadPoint, index: int, figure: float, cpu: dict[str, Any], wall_s: float
) -> Window:
    """A multi-stream measurement as the one window the judge reads: its ``throughput_fps``
    is ``figure`` (the sources held; with a fixed count, the frames/s achieved), its
    latencies those measured at that count."""
    return Window(
        index=index,
        requests=point.completed,
        frames=point.completed,
        wall_s=wall_s,
        throughput_fps=figure,
        latency_ms=dict(point.latency_ms),
        steal=float(cpu["steal"]),
        iowait=float(cpu["iowait"]),
        cpu_util=float(cpu["cpu_util"]),
        flagged=bool(cpu["flagged"]),
    )


def measure_streams(
    session: Session,
    *,
    trial_time_s: float,
    percent: float,
    fps: float,
    limit_ms: float | None,
    streams: int | None,
    clock: Clock,
    cpu_reader: Callable[[], CpuSample],
    seed: int = 0,
) -> Measurement:
    """A trial: the closed-loop ceiling first (where the count search starts: 80 % of the
    sources it could feed), then the most sources held at the limit — or, with ``streams``,
    one window of that many sources for the rest of the trial time."""
    ceiling, capacity, pool = open_loop_start(
        session, trial_time_s=trial_time_s, percent=percent, clock=clock, cpu_reader=cpu_reader
    )
    window_s = max(0.1, 0.75 * trial_time_s / (STREAM_PROBES if streams is None else 1))
    plan = StreamPlan(
        fps=fps, window_s=window_s, max_window_s=6 * window_s, limit_ms=limit_ms, percent=percent
    )
    timed = _Timed(clock, cpu_reader)
    if streams is None:
        start = max(1, math.floor(0.8 * capacity / fps))
        search = search_sources(pool, plan, start=start, clock=clock, seed=seed)
        points, at, figure = search.points, search.at, float(search.sources)
        info: dict[str, Any] = search.to_dict()
    else:
        at = probe_sources(pool, streams, plan, clock=clock, seed=seed, keep_distribution=True)
        kept, at = at.distribution, replace(at, distribution=[])
        points, figure = (at,), at.achieved_rate
        # the report draws the distribution ([[percent, ms], …])
        info = {"sources": streams, "points": [at.to_dict()], "latency_distribution_ms": kept}
    wall = sum(p.wall_s for p in points)
    window = stream_window(at, 0, figure, timed.fractions(), wall)
    return Measurement(
        windows=(window,),
        percentile=percent,
        warmup_requests=ceiling.warmup_requests,
        warmup_s=ceiling.warmup_s,
        latency_ms=dict(at.latency_ms),
        requests=sum(p.requests for p in points),
        wall_s=wall,
        plan=WindowPlan(window_s=window_s, windows=1, max_extra_windows=0, short=False),
        extra_info={
            "scenario": "multi-stream",
            "capacity_fps": capacity,
            "fps": fps,
            **info,
        },
        judged_stability=Stability(cov=math.nan, spread=math.nan, warnings=()),
    )


def interleaved_streams(
    sessions: Sequence[Session],
    starts: Sequence[int],
    *,
    rounds: int,
    window_s: float,
    percent: float,
    fps: float,
    limit_ms: float | None,
    streams: int | None,
    clock: Clock,
    cpu_reader: Callable[[], CpuSample],
    first_round: int = 0,
) -> dict[str, Any]:
    """Confirmation rounds (A B C, B C A, …): each round, each config counts its sources
    again starting from the count it held last (or, with ``streams``, one window at K)."""
    pools = [s.open_pool() for s in sessions]
    for session, pool in zip(sessions, pools, strict=True):
        session.first_inference_ms()
        warm_pool(pool, clock)
    held = [max(1, k) for k in starts]
    plan = StreamPlan(
        fps=fps,
        window_s=window_s / 2,
        max_window_s=3 * window_s,
        limit_ms=limit_ms,
        percent=percent,
    )
    windows: list[list[dict[str, Any]]] = [[] for _ in sessions]
    for r in range(first_round, first_round + rounds):
        for index in [(r + i) % len(sessions) for i in range(len(sessions))]:
            timed = _Timed(clock, cpu_reader)
            seed = 1000 * r + index
            if streams is None:
                search = search_sources(
                    pools[index],
                    plan,
                    start=held[index],
                    clock=clock,
                    probes=ROUND_STREAM_PROBES,
                    seed=seed,
                )
                at, figure, points = search.at, float(search.sources), search.points
                held[index] = search.sources or held[index]
            else:
                at = probe_sources(pools[index], streams, plan, clock=clock, seed=seed)
                figure, points = at.achieved_rate, (at,)
            wall = sum(p.wall_s for p in points)
            windows[index].append(stream_window(at, r, figure, timed.fractions(), wall).to_dict())
    return {
        "configs": [
            {"key": s.effective.key(), "effective": s.effective.to_dict(), "windows": w}
            for s, w in zip(sessions, windows, strict=True)
        ]
    }
