"""A configuration measured in the server scenario: its closed-loop throughput first (the
ceiling, and where the rate search starts), then the sustainable rate under Poisson arrivals,
stored as the one window the judge reads (see :func:`autotune.measure.rate_window`)."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from typing import Any

from autotune.measure._backend import Session
from autotune.measure._cpu import CpuSample, cpu_fractions
from autotune.measure._rate import (
    RatePlan,
    fixed_probe,
    load_curve,
    rate_window,
    search_rate,
)
from autotune.measure._run import STEAL_FLAG_FRACTION, Clock, Measurement, WindowPlan, measure
from autotune.measure._serving import LoadPoint, OpenPool, warm_pool
from autotune.measure._window import Window

# Probes of one trial's rate search, and how the trial time is split: a quarter for the
# closed-loop ceiling, the rest for the probes.
TRIAL_PROBES = 6
ROUND_PROBES = 3  # per confirmation round: around the rate the config held before
# The hockey stick: offered load as fractions of a config's sustainable rate.
CURVE_FRACTIONS = (0.25, 0.5, 0.7, 0.85, 0.95, 1.0, 1.1, 1.25)


def probe_window_s(trial_time_s: float) -> float:
    return max(0.1, 0.75 * trial_time_s / TRIAL_PROBES)


class _Timed:
    """CPU counters over a stretch of the clock: steal, iowait and this process's CPU use."""

    def __init__(self, clock: Clock, cpu_reader: Callable[[], CpuSample]) -> None:
        self.clock, self.cpu_reader = clock, cpu_reader
        self.started, self.cpu = clock(), cpu_reader()

    def fractions(self) -> dict[str, Any]:
        steal, iowait, util = cpu_fractions(
            self.cpu, self.cpu_reader(), self.clock() - self.started
        )
        return {
            "steal": steal,
            "iowait": iowait,
            "cpu_util": util,
            "flagged": steal >= STEAL_FLAG_FRACTION,
        }


def open_loop_start(
    session: Session,
    *,
    trial_time_s: float,
    percent: float,
    clock: Clock,
    cpu_reader: Callable[[], CpuSample],
) -> tuple[Measurement, float, OpenPool]:
    """What every open-loop trial starts with: the closed-loop ceiling over a quarter of the
    trial time (its measurement and median FPS), then the request pool, warmed."""
    ceiling = measure(
        session.pipeline,
        trial_time_s=trial_time_s / 4,
        percent=percent,
        clock=clock,
        cpu_reader=cpu_reader,
    )
    capacity = statistics.median(w.throughput_fps for w in ceiling.windows)
    pool = session.open_pool()
    warm_pool(pool, clock)
    return ceiling, capacity, pool


def measure_server(
    session: Session,
    *,
    trial_time_s: float,
    percent: float,
    limit_ms: float,
    clock: Clock,
    cpu_reader: Callable[[], CpuSample],
    seed: int = 0,
) -> Measurement:
    """The closed-loop ceiling, then the highest Poisson rate that holds ``limit_ms``."""
    ceiling, capacity, pool = open_loop_start(
        session, trial_time_s=trial_time_s, percent=percent, clock=clock, cpu_reader=cpu_reader
    )
    window_s = probe_window_s(trial_time_s)
    plan = RatePlan(
        start=0.8 * capacity,
        window_s=window_s,
        max_window_s=6 * window_s,
        probes=TRIAL_PROBES,
        floor=0.01 * capacity,
    )
    timed = _Timed(clock, cpu_reader)
    search = search_rate(pool, plan, limit_ms=limit_ms, percent=percent, clock=clock, seed=seed)
    window = rate_window(search, 0, **timed.fractions())
    return Measurement(
        windows=(window,),
        percentile=percent,
        warmup_requests=ceiling.warmup_requests,
        warmup_s=ceiling.warmup_s,
        latency_ms=dict(search.at_rate.latency_ms),
        requests=sum(p.requests for p in search.points),
        wall_s=sum(p.wall_s for p in search.points),
        plan=WindowPlan(window_s=window_s, windows=1, max_extra_windows=0, short=False),
        extra_info={
            "scenario": "server",
            "capacity_fps": capacity,
            "capacity_windows": [w.to_dict() for w in ceiling.windows],
            "sustainable_rate": search.rate,
            "lowest_fail": search.lowest_fail,
            "points": [p.to_dict() for p in search.points],
        },
        judged_stability=search.stability(),
    )


def server_round(
    pool: OpenPool,
    *,
    start_rate: float,
    window_s: float,
    percent: float,
    limit_ms: float,
    clock: Clock,
    cpu_reader: Callable[[], CpuSample],
    index: int,
    seed: int = 0,
) -> Window:
    """One confirmation round of one config: a short search around the rate it held before."""
    plan = RatePlan(
        start=start_rate,
        window_s=window_s / 2,
        max_window_s=3 * window_s,
        probes=ROUND_PROBES,
        up=1.1,
        down=0.85,
        tolerance=0.03,
        floor=0.05 * start_rate,
        extra_until_held=3,  # a round that held nothing would drag the median to 0
    )
    timed = _Timed(clock, cpu_reader)
    search = search_rate(pool, plan, limit_ms=limit_ms, percent=percent, clock=clock, seed=seed)
    return rate_window(search, index, **timed.fractions())


def interleaved_rates(
    sessions: Sequence[Session],
    start_rates: Sequence[float],
    *,
    rounds: int,
    window_s: float,
    percent: float,
    limit_ms: float,
    clock: Clock,
    cpu_reader: Callable[[], CpuSample],
    first_round: int = 0,
) -> dict[str, Any]:
    """Confirmation rounds in the server scenario: each round, each config searches its
    sustainable rate again, starting from where it held last (A B C, B C A, …); added rounds
    are numbered on from ``first_round``."""
    pools = [s.open_pool() for s in sessions]
    for session, pool in zip(sessions, pools, strict=True):
        session.first_inference_ms()
        warm_pool(pool, clock)
    rates = list(start_rates)
    windows: list[list[dict[str, Any]]] = [[] for _ in sessions]
    for r in range(first_round, first_round + rounds):
        for index in [(r + i) % len(sessions) for i in range(len(sessions))]:
            window = server_round(
                pools[index],
                start_rate=rates[index] or start_rates[index],
                window_s=window_s,
                percent=percent,
                limit_ms=limit_ms,
                clock=clock,
                cpu_reader=cpu_reader,
                index=r,
                seed=1000 * r + index,
            )
            rates[index] = window.throughput_fps or rates[index]
            windows[index].append(window.to_dict())
    return {
        "configs": [
            {"key": s.effective.key(), "effective": s.effective.to_dict(), "windows": w}
            for s, w in zip(sessions, windows, strict=True)
        ]
    }


def rate_windows(
    pools: Sequence[OpenPool],
    windows: Sequence[tuple[float, float] | None],
    *,
    percent: float,
    limit_ms: float,
    clock: Clock,
    seed: int = 0,
) -> list[LoadPoint | None]:
    """One open-loop window per pool at a fixed rate, ``(rate, seconds)`` (None: no window),
    measured one pool after the other: the proof of a stated rate
    (:func:`autotune.judge.prove_rate` says which windows it needs next)."""
    out: list[LoadPoint | None] = []
    for index, (pool, window) in enumerate(zip(pools, windows, strict=True)):
        if window is None:
            out.append(None)
            continue
        rate, seconds = window
        out.append(
            fixed_probe(
                pool,
                rate,
                seconds,
                limit_ms=limit_ms,
                percent=percent,
                clock=clock,
                seed=seed + index,
            )
        )
    return out


def curve_rates(rate: float) -> list[float]:
    return [rate * f for f in CURVE_FRACTIONS]


def measure_curve(
    pool: OpenPool,
    rates: Sequence[float],
    *,
    window_s: float,
    percent: float,
    limit_ms: float,
    clock: Clock,
) -> list[LoadPoint]:
    warm_pool(pool, clock)
    return load_curve(
        pool,
        rates,
        window_s=window_s,
        max_window_s=3 * window_s,
        limit_ms=limit_ms,
        percent=percent,
        clock=clock,
    )
