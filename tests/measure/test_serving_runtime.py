"""The open-loop generator on the real runtime: a small model at a low rate (every request
served, latency near the service time) and far above its closed-loop ceiling (the probe gives
up and counts what it dropped)."""

from __future__ import annotations

import time
from pathlib import Path

from autotune.core import RuntimeConfig
from autotune.measure import RuntimeBackend, measure, poisson_arrivals, run_load, warm_pool

SHAPE = {"images": [1, 3, 64, 64]}


def test_open_loop_on_the_real_runtime(tiny_model: Path) -> None:
    backend = RuntimeBackend()
    session = backend.compile(str(tiny_model), SHAPE, RuntimeConfig(hint="THROUGHPUT"))
    try:
        closed = measure(session.pipeline, trial_time_s=0.5, percent=99)
        ceiling = max(w.throughput_fps for w in closed.windows)
        service_ms = closed.latency_ms["p50"]
        pool = session.open_pool()
        warm_pool(pool, time.perf_counter)

        def offer(rate: float, seconds: float, limit_ms: float | None = None):
            return run_load(
                pool,
                poisson_arrivals(rate, seconds, seed=1),
                rate=rate,
                duration_s=seconds,
                clock=time.perf_counter,
                percentiles=(50, 99),
                drain_s=1.0,
                limit_ms=limit_ms,
            )

        light = offer(0.05 * ceiling, 1.0)
        assert light.dropped == 0 and light.completed == light.requests > 20
        assert 0.8 < light.achieved_rate / (0.05 * ceiling) < 1.2
        # Little queueing at 5 % load: the median is the service time plus wake-ups, far from
        # the closed loop's p99 at full load.
        assert light.latency_ms["p50"] < 5 * service_ms + 1.0
        heavy = offer(3 * ceiling, 1.0, limit_ms=5 * service_ms + 1.0)
        assert heavy.overloaded or heavy.dropped > 0
        assert heavy.latency_ms["p99"] > light.latency_ms["p99"]
    finally:
        session.close()
