"""The multi-stream scenario on the simulated machine's fake clock, where the truth is
computable: periodic sources with their own phases, latency from each frame's due time, and
the most sources one request slot holds at a limit."""

from __future__ import annotations

import random

import numpy as np
import pytest

from autotune.core import RuntimeConfig
from autotune.measure import (
    StreamPlan,
    periodic_arrivals,
    probe_sources,
    run_load,
    search_sources,
)
from autotune.testing import FakeClock, SimulatedMachine, SimulatedOpenPool

# One stream, one request, no noise: a single server with a fixed service time s.
MACHINE = SimulatedMachine(cores=4, noise=0.0, start_overhead_ms=0.0)
SINGLE = MACHINE.effective(RuntimeConfig(hint="NONE", streams=1, threads=4, infer_requests=1))
SERVICE_MS = MACHINE.service_ms(SINGLE)
# Each source sends a frame every 8.4 service times: 8 sources load the server to 95 %, 9 to
# 107 % (the queue grows without bound). With a limit of 10 service times — above the worst
# case of 8 sources whose frames all fall due at once (8 s) — the truth is 8 sources.
FPS = 1e3 / (8.4 * SERVICE_MS)
LIMIT_MS = 10 * SERVICE_MS


def _pool() -> tuple[SimulatedOpenPool, FakeClock]:
    clock = FakeClock()
    return SimulatedOpenPool(MACHINE, SINGLE, clock, random.Random(0)), clock


def test_periodic_sources_with_their_own_phases() -> None:
    times = np.array(periodic_arrivals(5, 30.0, 2.0, seed=1))
    assert len(times) == pytest.approx(5 * 30 * 2, abs=5)
    assert list(times) == sorted(times)
    # each source keeps its period: the gaps are the period or the phase differences within it
    gaps = np.diff(times)
    assert gaps.max() <= 1 / 30 + 1e-9
    phases = np.sort(np.mod(times, 1 / 30))[: len(times)]
    assert len({round(p, 9) for p in phases}) == 5  # five distinct phases
    same = np.array(periodic_arrivals(5, 30.0, 1.0, seed=1, jitter=0.0))
    assert len(set(np.round(same, 9))) == 30  # no jitter: all five due at the same instants


def test_latency_counts_from_each_frames_due_time() -> None:
    """Four sources due at the same instants on one server: the frames wait their turn, so
    their latencies are s, 2s, 3s and 4s; the wait is part of it."""
    pool, clock = _pool()
    plan = StreamPlan(fps=FPS, window_s=2.0, max_window_s=2.0, limit_ms=None, percent=99)
    arrivals = periodic_arrivals(4, FPS, 2.0, seed=0, jitter=0.0)
    point = run_load(
        pool,
        arrivals,
        rate=4 * FPS,
        duration_s=2.0,
        clock=clock,
        percentiles=(50, 99),
        drain_s=1.0,
    )
    assert point.dropped == 0
    assert point.latency_ms["max"] == pytest.approx(4 * SERVICE_MS, rel=1e-6)
    assert point.latency_ms["mean"] == pytest.approx(2.5 * SERVICE_MS, rel=1e-6)
    assert plan.duration(4) == 2.0


def test_the_most_sources_held_is_the_truth() -> None:
    pool, clock = _pool()
    plan = StreamPlan(fps=FPS, window_s=1.0, max_window_s=6.0, limit_ms=LIMIT_MS, percent=99)
    search = search_sources(pool, plan, start=3, clock=clock, seed=1)
    assert search.sources == 8 and search.lowest_fail == 9
    assert search.at.latency_ms["p99"] <= 8 * SERVICE_MS + 1e-6
    # started above the truth, the search comes down to it
    pool, clock = _pool()
    assert search_sources(pool, plan, start=20, clock=clock, seed=1).sources == 8


def test_a_fixed_count_gives_its_latency() -> None:
    pool, clock = _pool()
    plan = StreamPlan(fps=FPS, window_s=2.0, max_window_s=6.0, limit_ms=LIMIT_MS, percent=99)
    one = probe_sources(pool, 1, plan, clock=clock, seed=0)
    assert one.latency_ms["p99"] == pytest.approx(SERVICE_MS, rel=1e-6)  # no one to wait for
    assert one.achieved_rate == pytest.approx(FPS, rel=0.05)
