"""The server scenario at a fixed rate (``--objective latency --rate R``): every config takes
Poisson arrivals at R req/s into its request pool, and the figure is the latency percentile
counted from arrival — the lowest p99 at the load a deployment expects, rather than the
highest load that holds a limit.

A trial's window holds at least 200 arrivals (up to 6× its planned length); a confirmation
window enough for its percentile (:func:`~autotune.measure.requests_for`: 1000 for a p99, up
to :data:`~autotune.measure.MAX_STRETCH` times its planned length). A config that cannot
sustain R builds a queue, and its percentile shows it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from autotune.measure._backend import Session
from autotune.measure._cpu import CpuSample
from autotune.measure._rate import MIN_REQUESTS_PER_PROBE, fixed_probe
from autotune.measure._run import Clock, Measurement, WindowPlan
from autotune.measure._server import _Timed, open_loop_start
from autotune.measure._serving import warm_pool
from autotune.measure._stability import Stability
from autotune.measure._streams import stream_window
from autotune.measure._window import MAX_STRETCH, requests_for

TRIAL_STRETCH = 6  # a trial's window grows to at most this many times its planned length


def at_rate_window_s(rate: float, window_s: float, needed: int, stretch: float) -> float:
    """A window at ``rate``: ``window_s``, stretched to hold ``needed`` arrivals, up to
    ``stretch`` times ``window_s``."""
    return max(window_s, min(needed / rate, stretch * window_s))


def measure_at_rate(
    session: Session,
    *,
    rate: float,
    trial_time_s: float,
    percent: float,
    limit_ms: float | None,
    clock: Clock,
    cpu_reader: Callable[[], CpuSample],
    seed: int = 0,
) -> Measurement:
    """A trial: the closed-loop ceiling first (a quarter of the trial time, kept beside the
    figure), then one window of Poisson arrivals at ``rate`` for the rest."""
    ceiling, capacity, pool = open_loop_start(
        session, trial_time_s=trial_time_s, percent=percent, clock=clock, cpu_reader=cpu_reader
    )
    planned = max(0.1, 0.75 * trial_time_s)
    seconds = at_rate_window_s(rate, planned, MIN_REQUESTS_PER_PROBE, TRIAL_STRETCH)
    timed = _Timed(clock, cpu_reader)
    point = fixed_probe(
        pool,
        rate,
        seconds,
        percent=percent,
        limit_ms=limit_ms,
        clock=clock,
        seed=seed,
        keep_distribution=True,
    )
    kept = point.distribution
    point = replace(point, distribution=[])
    window = stream_window(point, 0, point.achieved_rate, timed.fractions(), point.wall_s)
    return Measurement(
        windows=(window,),
        percentile=percent,
        warmup_requests=ceiling.warmup_requests,
        warmup_s=ceiling.warmup_s,
        latency_ms=dict(point.latency_ms),
        requests=point.requests,
        wall_s=point.wall_s,
        plan=WindowPlan(window_s=seconds, windows=1, max_extra_windows=0, short=False),
        extra_info={
            "scenario": "server",
            "capacity_fps": capacity,
            "at_rate": rate,
            "points": [point.to_dict()],
            # the report draws it ([[percent, ms], …])
            "latency_distribution_ms": kept,
        },
        judged_stability=Stability(cov=float("nan"), spread=float("nan"), warnings=()),
    )


def interleaved_at_rate(
    sessions: Sequence[Session],
    rate: float,
    *,
    rounds: int,
    window_s: float,
    percent: float,
    limit_ms: float | None,
    clock: Clock,
    cpu_reader: Callable[[], CpuSample],
    first_round: int = 0,
) -> dict[str, Any]:
    """Confirmation rounds (A B C, B C A, …): each round, each config one window of Poisson
    arrivals at ``rate``, long enough for its percentile."""
    pools = [s.open_pool() for s in sessions]
    for session, pool in zip(sessions, pools, strict=True):
        session.first_inference_ms()
        warm_pool(pool, clock)
    seconds = at_rate_window_s(rate, window_s, requests_for(percent), MAX_STRETCH)
    windows: list[list[dict[str, Any]]] = [[] for _ in sessions]
    for r in range(first_round, first_round + rounds):
        for index in [(r + i) % len(sessions) for i in range(len(sessions))]:
            timed = _Timed(clock, cpu_reader)
            point = fixed_probe(
                pools[index],
                rate,
                seconds,
                percent=percent,
                limit_ms=limit_ms,
                clock=clock,
                seed=1000 * r + index,
            )
            window = stream_window(point, r, point.achieved_rate, timed.fractions(), point.wall_s)
            windows[index].append(window.to_dict())
    return {
        "configs": [
            {"key": s.effective.key(), "effective": s.effective.to_dict(), "windows": w}
            for s, w in zip(sessions, windows, strict=True)
        ]
    }
