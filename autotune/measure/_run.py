"""Windowed throughput/latency measurement that holds on a noisy machine.

A trial runs one continuous benchmark_app-style loop over a fixed request pool: a warm-up that
also calibrates the window length, then N windows. Each window records its throughput, latency
percentiles, and the CPU steal/iowait from ``/proc/stat`` while it ran; windows with heavy steal
are flagged and replaced by extra windows (bounded). How windows combine into the figures a
decision uses is the judge's rule (:mod:`autotune.judge`), not this module's.

Everything here is pure Python over a :class:`Pipeline`, an injectable clock and CPU reader: the
tests drive it with a fake clock and a simulated pipeline.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from autotune.measure._cpu import CpuSample, cpu_fractions, read_cpu_sample
from autotune.measure._stability import Stability, judge_stability, select_windows
from autotune.measure._window import (
    DISPLAY_PERCENTILES,
    MIN_REQUESTS_PER_WINDOW,
    MIN_WINDOWS,
    Window,
    distribution,
    over_runs,
    percentile,
    percentile_key,
)

Clock = Callable[[], float]

# A window with at least this much hypervisor steal is flagged and re-measured.
STEAL_FLAG_FRACTION = 0.10
# Calibration: aim at 5 windows a trial (about 0.4 s each for the default 2 s trial).
TARGET_WINDOWS = 5
MIN_WINDOW_S = 0.1


class Pipeline(Protocol):
    """A fixed pool of inference requests driven like benchmark_app's async loop."""

    @property
    def requests(self) -> int: ...

    @property
    def frames_per_request(self) -> int: ...

    @property
    def items(self) -> int:
        """Distinct inputs the requests cycle through (the shapes of a mix; 1 otherwise)."""
        ...

    def start_next(self) -> float | None:
        """Wait for an idle request and start it again.

        Returns the latency (ms) of the run that request just finished, or None if the request
        had not run before (pipeline filling).
        """
        ...

    def drain(self) -> list[float]:
        """Wait for every request; return the latencies (ms) of the runs still in flight."""
        ...


@dataclass(frozen=True)
class WindowPlan:
    """How long to measure: window length and count, decided from the warm-up's request rate."""

    window_s: float
    windows: int
    max_extra_windows: int
    short: bool  # windows fall below MIN_REQUESTS_PER_WINDOW even at full trial time

    @classmethod
    def calibrate(
        cls,
        requests_per_s: float,
        trial_time_s: float,
        min_requests: int = MIN_REQUESTS_PER_WINDOW,
    ) -> WindowPlan:
        """Aim for TARGET_WINDOWS windows of trial_time/TARGET_WINDOWS seconds, but stretch a
        window until it holds ``min_requests`` requests (keeping at least MIN_WINDOWS)."""
        base = max(MIN_WINDOW_S, trial_time_s / TARGET_WINDOWS)
        needed = min_requests / requests_per_s if requests_per_s > 0 else base
        window_s = max(base, needed)
        windows = max(MIN_WINDOWS, round(trial_time_s / window_s))
        return cls(
            window_s=window_s,
            windows=windows,
            max_extra_windows=max(1, windows // 2),
            short=needed > base * 2,
        )


@dataclass(frozen=True)
class Measurement:
    """The result of measuring one configuration (all windows, warm-up kept apart)."""

    windows: tuple[Window, ...]
    percentile: float
    warmup_requests: int
    warmup_s: float
    latency_ms: dict[str, float]  # pooled over every request of the used windows
    requests: int
    wall_s: float
    plan: WindowPlan
    extra_info: dict[str, Any] = field(default_factory=dict)
    judged_stability: Stability | None = None  # set when windows are not repeats (server)

    def stability(self) -> Stability:
        if self.judged_stability is not None:
            return self.judged_stability
        return judge_stability(self.windows, short=self.plan.short)

    def to_dict(self) -> dict[str, Any]:
        return {
            "windows": [w.to_dict() for w in self.windows],
            "percentile": self.percentile,
            "warmup_requests": self.warmup_requests,
            "warmup_s": self.warmup_s,
            "latency_ms": self.latency_ms,
            "requests": self.requests,
            "wall_s": self.wall_s,
            "plan": asdict(self.plan),
            "stability": self.stability().to_dict(),
            **self.extra_info,
        }


def _window_latencies(latencies: list[float], percentiles: Sequence[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    out = {percentile_key(p): percentile(ordered, p) for p in percentiles}
    out["mean"] = statistics.fmean(ordered) if ordered else math.nan
    out["max"] = ordered[-1] if ordered else math.nan
    return out


def _all_percentiles(percent: float) -> tuple[float, ...]:
    return tuple(sorted({*DISPLAY_PERCENTILES, percent}))


def warm_up(pipeline: Pipeline, clock: Clock, warmup_s: float) -> tuple[int, float, list[float]]:
    """Fill the pipeline and run it for ``warmup_s``.

    Returns (requests completed, seconds since the first completion, their latencies). Warm-up
    requests are kept apart from the measured ones, like pyperf's warm-ups.
    """
    started = clock()
    latencies: list[float] = []
    first_completion: float | None = None
    while True:
        latency = pipeline.start_next()
        if latency is not None:
            latencies.append(latency)
            if first_completion is None:
                first_completion = clock()
        now = clock()
        # every request once, and every distinct input (a shape of the mix) once: a dynamic
        # model's first run at a new shape is several times slower than the next ones
        if now - started >= warmup_s and len(latencies) >= max(pipeline.requests, pipeline.items):
            break
    # The rate is measured from the first completion so that pipeline fill does not count.
    rate_span = now - (first_completion or started)
    return len(latencies), rate_span, latencies


def run_windows(
    pipeline: Pipeline,
    plan: WindowPlan,
    *,
    percent: float,
    clock: Clock = time.perf_counter,
    cpu_reader: Callable[[], CpuSample] = read_cpu_sample,
    steal_flag: float = STEAL_FLAG_FRACTION,
    limit_ms: float | None = None,
) -> tuple[list[Window], list[list[float]]]:
    """Measure ``plan.windows`` windows back to back on an already warm pipeline.

    A window closes at the first completion after its deadline. A window flagged for steal earns
    one extra window, up to ``plan.max_extra_windows``. Requests in flight at the very end are
    drained into the last window (the drain time counts, as in benchmark_app's wall time).
    Returns the windows and each window's latencies (for pooled percentiles). With a
    ``limit_ms``, each window counts its latencies over it (and their runs).
    """
    percentiles = _all_percentiles(percent)
    windows: list[Window] = []
    per_window: list[list[float]] = []
    target = plan.windows
    extra = 0
    start = clock()
    cpu_start = cpu_reader()
    latencies: list[float] = []
    deadline = start + plan.window_s
    frames = pipeline.frames_per_request
    while True:
        latency = pipeline.start_next()
        if latency is not None:
            latencies.append(latency)
        now = clock()
        if now < deadline:
            continue
        cpu_now = cpu_reader()
        steal, iowait, util = cpu_fractions(cpu_start, cpu_now, now - start)
        flagged = steal >= steal_flag
        if flagged and extra < plan.max_extra_windows:
            target += 1
            extra += 1
        last = len(windows) + 1 >= target
        if last:
            latencies.extend(pipeline.drain())
            now = clock()
        wall = now - start
        over, over_sq = over_runs(latencies, limit_ms) if limit_ms is not None else (None, None)
        windows.append(
            Window(
                index=len(windows),
                requests=len(latencies),
                frames=len(latencies) * frames,
                wall_s=wall,
                throughput_fps=len(latencies) * frames / wall if wall > 0 else 0.0,
                latency_ms=_window_latencies(latencies, percentiles),
                steal=steal,
                iowait=iowait,
                cpu_util=util,
                flagged=flagged,
                over=over,
                over_sq=over_sq,
            )
        )
        per_window.append(latencies)
        if last:
            return windows, per_window
        start, cpu_start, latencies = now, cpu_now, []
        deadline = now + plan.window_s


def confirmation_window_s(trial_time_s: float) -> float:
    """One window per config and round when configs are re-measured interleaved: a quarter of
    a trial (0.5 s for the default 2 s), so 10 rounds cost about what 2.5 trials would."""
    return max(0.25, trial_time_s / 4)


# A configuration whose warm-up latency is this many times the limit is hopeless: it gets the
# minimum measurement (no window stretching) instead of a full one.
HOPELESS_LATENCY_FACTOR = 3.0


def measure(
    pipeline: Pipeline,
    *,
    trial_time_s: float,
    percent: float,
    clock: Clock = time.perf_counter,
    cpu_reader: Callable[[], CpuSample] = read_cpu_sample,
    warmup_s: float | None = None,
    latency_limit_ms: float | None = None,
    min_requests: int = MIN_REQUESTS_PER_WINDOW,
    keep_distribution: bool = False,
) -> Measurement:
    """Warm up, calibrate windows from the warm-up rate, and measure (each window holding at
    least ``min_requests`` requests when the trial time allows).

    A configuration whose warm-up latency is far over ``latency_limit_ms`` is measured
    briefly: it cannot win.
    """
    warmup_s = warmup_s if warmup_s is not None else min(1.0, max(0.1, trial_time_s / 20))
    warm_started = clock()
    warm_requests, warm_span, warm_latencies = warm_up(pipeline, clock, warmup_s)
    warmup_wall_s = clock() - warm_started
    rate = warm_requests / warm_span if warm_span > 0 else 0.0
    plan = WindowPlan.calibrate(rate, trial_time_s, min_requests)
    hopeless = bool(
        latency_limit_ms
        and warm_latencies
        and statistics.median(warm_latencies) > HOPELESS_LATENCY_FACTOR * latency_limit_ms
    )
    if hopeless:
        plan = WindowPlan(
            window_s=max(MIN_WINDOW_S, trial_time_s / TARGET_WINDOWS / 2),
            windows=MIN_WINDOWS,
            max_extra_windows=0,
            short=False,
        )
    shapes = getattr(pipeline, "shapes", None)  # a mix of request shapes: latency per shape
    if shapes is not None:
        shapes.reset()
    windows, per_window = run_windows(
        pipeline,
        plan,
        percent=percent,
        clock=clock,
        cpu_reader=cpu_reader,
        limit_ms=latency_limit_ms,
    )
    by_shape = shape_latencies(shapes.reset(), percent) if shapes is not None else {}
    used = {w.index for w in select_windows(windows)}
    measured = [
        v for w, values in zip(windows, per_window, strict=True) if w.index in used for v in values
    ]
    pooled = _window_latencies(measured, _all_percentiles(percent))
    kept = {"latency_distribution_ms": distribution(measured)} if keep_distribution else {}
    return Measurement(
        windows=tuple(windows),
        percentile=percent,
        warmup_requests=warm_requests,
        warmup_s=warm_span,
        latency_ms=pooled,
        requests=sum(w.requests for w in windows),
        wall_s=sum(w.wall_s for w in windows),
        plan=plan,
        extra_info={
            "hopeless": hopeless,
            "warmup_wall_s": warmup_wall_s,
            **({"by_shape": by_shape} if by_shape else {}),
            **kept,
        },
    )


def shape_latencies(by_label: dict[str, list[float]], percent: float) -> dict[str, Any]:
    """Latency per request shape (a mix): requests and percentiles of each shape label."""
    return {
        label: {"requests": len(values), **_window_latencies(values, _all_percentiles(percent))}
        for label, values in sorted(by_label.items())
        if values
    }
