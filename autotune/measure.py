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
import os
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

Clock = Callable[[], float]

# A window with at least this much hypervisor steal is flagged and re-measured.
STEAL_FLAG_FRACTION = 0.10
# Calibration: a window should hold at least this many requests, and the trial at least 3 windows
# (about 0.4 s each for the default 2 s trial, 5 windows).
MIN_REQUESTS_PER_WINDOW = 30
MIN_WINDOWS = 3
TARGET_WINDOWS = 5
MIN_WINDOW_S = 0.1
# Stability verdict thresholds (pyperf uses 10 % std dev and 50 % min/max spread).
UNSTABLE_COV = 0.10
UNSTABLE_SPREAD = 0.50
DISPLAY_PERCENTILES = (50.0, 90.0, 99.0)
STABILITY_REMEDY = (
    "use a longer --trial-time (e.g. 5s), run on a quieter machine, "
    "and stop other jobs while measuring"
)


class Pipeline(Protocol):
    """A fixed pool of inference requests driven like benchmark_app's async loop."""

    @property
    def requests(self) -> int: ...

    @property
    def frames_per_request(self) -> int: ...

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
class CpuSample:
    """Cumulative CPU counters at one instant (system jiffies and this process's CPU time)."""

    total: int = 0
    steal: int = 0
    iowait: int = 0
    process_cpu_s: float = 0.0


def read_cpu_sample() -> CpuSample:
    """Read /proc/stat's aggregate ``cpu`` line; zeros where it does not exist (non-Linux)."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            values = [int(v) for v in f.readline().split()[1:]]
    except (OSError, ValueError):
        return CpuSample(process_cpu_s=time.process_time())
    total = sum(values[:8])
    iowait = values[4] if len(values) > 4 else 0
    steal = values[7] if len(values) > 7 else 0
    return CpuSample(total=total, steal=steal, iowait=iowait, process_cpu_s=time.process_time())


def percentile(sorted_values: Sequence[float], percent: float) -> float:
    """Nearest-rank percentile, as benchmark_app computes it (``values[ceil(n*p/100)-1]``)."""
    if not sorted_values:
        return math.nan
    index = max(0, math.ceil(len(sorted_values) * percent / 100) - 1)
    return float(sorted_values[min(index, len(sorted_values) - 1)])


def quantile(values: Iterable[float], q: float) -> float:
    """Nearest-rank quantile of unsorted values (q in 0..1)."""
    return percentile(sorted(values), q * 100)


def percentile_key(percent: float) -> str:
    """``90.0`` → ``"p90"``, ``97.5`` → ``"p97.5"``."""
    return f"p{percent:g}"


@dataclass(frozen=True)
class Window:
    """One measurement window of a continuous run."""

    index: int
    requests: int
    frames: int
    wall_s: float
    throughput_fps: float
    latency_ms: dict[str, float]
    steal: float
    iowait: float
    cpu_util: float
    flagged: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Window:
        return cls(**{**data, "latency_ms": dict(data["latency_ms"])})


@dataclass(frozen=True)
class WindowPlan:
    """How long to measure: window length and count, decided from the warm-up's request rate."""

    window_s: float
    windows: int
    max_extra_windows: int
    short: bool  # windows fall below MIN_REQUESTS_PER_WINDOW even at full trial time

    @classmethod
    def calibrate(cls, requests_per_s: float, trial_time_s: float) -> WindowPlan:
        """Aim for TARGET_WINDOWS windows of trial_time/TARGET_WINDOWS seconds, but stretch a
        window until it holds MIN_REQUESTS_PER_WINDOW requests (keeping at least MIN_WINDOWS)."""
        base = max(MIN_WINDOW_S, trial_time_s / TARGET_WINDOWS)
        needed = MIN_REQUESTS_PER_WINDOW / requests_per_s if requests_per_s > 0 else base
        window_s = max(base, needed)
        windows = max(MIN_WINDOWS, round(trial_time_s / window_s))
        return cls(
            window_s=window_s,
            windows=windows,
            max_extra_windows=max(1, windows // 2),
            short=needed > base * 2,
        )


@dataclass(frozen=True)
class Stability:
    """pyperf-style verdict on a set of windows."""

    cov: float  # std dev / mean of window throughputs
    spread: float  # (max - min) / median of window throughputs
    warnings: tuple[str, ...] = ()

    @property
    def stable(self) -> bool:
        return not self.warnings

    def to_dict(self) -> dict[str, Any]:
        return {"cov": self.cov, "spread": self.spread, "warnings": list(self.warnings)}


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

    def stability(self) -> Stability:
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


def select_windows(windows: Sequence[Window]) -> tuple[Window, ...]:
    """The windows a score is computed from: the unflagged ones when at least MIN_WINDOWS of
    them remain, otherwise all (and the stability verdict says why)."""
    clean = tuple(w for w in windows if not w.flagged)
    return clean if len(clean) >= MIN_WINDOWS else tuple(windows)


def judge_stability(windows: Sequence[Window], *, short: bool = False) -> Stability:
    """Warn, with remedies, when the windows disagree or are too small to trust."""
    used = select_windows(windows)
    values = [w.throughput_fps for w in used]
    if not values:
        return Stability(cov=math.nan, spread=math.nan, warnings=("no window was measured",))
    mean = statistics.fmean(values)
    cov = statistics.stdev(values) / mean if len(values) > 1 and mean > 0 else 0.0
    med = statistics.median(values)
    spread = (max(values) - min(values)) / med if med > 0 else 0.0
    warnings: list[str] = []
    if cov >= UNSTABLE_COV:
        warnings.append(f"throughput varies {cov:.0%} between windows (std dev / mean)")
    if spread >= UNSTABLE_SPREAD:
        warnings.append(f"slowest and fastest windows differ by {spread:.0%} of the median")
    if len(used) < MIN_WINDOWS:
        warnings.append(f"only {len(used)} windows")
    few = [w for w in used if w.requests < MIN_REQUESTS_PER_WINDOW]
    if few or short:
        warnings.append(
            f"windows hold fewer than {MIN_REQUESTS_PER_WINDOW} requests "
            "(the model is slow for this --trial-time)"
        )
    flagged = [w for w in windows if w.flagged]
    if flagged:
        worst = max(w.steal for w in flagged)
        warnings.append(
            f"{len(flagged)} of {len(windows)} windows had heavy CPU steal (up to {worst:.0%})"
        )
    return Stability(cov=cov, spread=spread, warnings=tuple(warnings))


def _window_latencies(latencies: list[float], percentiles: Sequence[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    out = {percentile_key(p): percentile(ordered, p) for p in percentiles}
    out["mean"] = statistics.fmean(ordered) if ordered else math.nan
    out["max"] = ordered[-1] if ordered else math.nan
    return out


def _all_percentiles(percent: float) -> tuple[float, ...]:
    return tuple(sorted({*DISPLAY_PERCENTILES, percent}))


def _cpu_fractions(a: CpuSample, b: CpuSample, wall_s: float) -> tuple[float, float, float]:
    total = b.total - a.total
    steal = (b.steal - a.steal) / total if total > 0 else 0.0
    iowait = (b.iowait - a.iowait) / total if total > 0 else 0.0
    cpus = os.cpu_count() or 1
    util = (b.process_cpu_s - a.process_cpu_s) / (wall_s * cpus) if wall_s > 0 else 0.0
    return steal, iowait, util


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
        if now - started >= warmup_s and len(latencies) >= pipeline.requests:
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
) -> tuple[list[Window], list[list[float]]]:
    """Measure ``plan.windows`` windows back to back on an already warm pipeline.

    A window closes at the first completion after its deadline. A window flagged for steal earns
    one extra window, up to ``plan.max_extra_windows``. Requests in flight at the very end are
    drained into the last window (the drain time counts, as in benchmark_app's wall time).
    Returns the windows and each window's latencies (for pooled percentiles).
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
        steal, iowait, util = _cpu_fractions(cpu_start, cpu_now, now - start)
        flagged = steal >= steal_flag
        if flagged and extra < plan.max_extra_windows:
            target += 1
            extra += 1
        last = len(windows) + 1 >= target
        if last:
            latencies.extend(pipeline.drain())
            now = clock()
        wall = now - start
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
            )
        )
        per_window.append(latencies)
        if last:
            return windows, per_window
        start, cpu_start, latencies = now, cpu_now, []
        deadline = now + plan.window_s


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
) -> Measurement:
    """Warm up, calibrate windows from the warm-up rate, and measure.

    A configuration whose warm-up latency is far over ``latency_limit_ms`` is measured
    briefly: it cannot win.
    """
    warmup_s = warmup_s if warmup_s is not None else min(1.0, max(0.1, trial_time_s / 20))
    warm_started = clock()
    warm_requests, warm_span, warm_latencies = warm_up(pipeline, clock, warmup_s)
    warmup_wall_s = clock() - warm_started
    rate = warm_requests / warm_span if warm_span > 0 else 0.0
    plan = WindowPlan.calibrate(rate, trial_time_s)
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
    windows, per_window = run_windows(
        pipeline, plan, percent=percent, clock=clock, cpu_reader=cpu_reader
    )
    used = {w.index for w in select_windows(windows)}
    pooled = _window_latencies(
        [
            v
            for w, values in zip(windows, per_window, strict=True)
            if w.index in used
            for v in values
        ],
        _all_percentiles(percent),
    )
    return Measurement(
        windows=tuple(windows),
        percentile=percent,
        warmup_requests=warm_requests,
        warmup_s=warm_span,
        latency_ms=pooled,
        requests=sum(w.requests for w in windows),
        wall_s=sum(w.wall_s for w in windows),
        plan=plan,
        extra_info={"hopeless": hopeless, "warmup_wall_s": warmup_wall_s},
    )


def measurement_record(
    *,
    key: str,
    effective: dict[str, Any],
    compile_ms: float,
    loaded_from_cache: bool,
    first_inference_ms: float,
    measurement: Measurement,
    measured_s: float,
    memory: dict[str, Any],
    accuracy: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The plain record one trial's measurement produces (what the worker sends back)."""
    record = {
        "key": key,
        "duplicate": False,
        "effective": effective,
        "compile_ms": compile_ms,
        "loaded_from_cache": loaded_from_cache,
        "first_inference_ms": first_inference_ms,
        "measurement": measurement.to_dict(),
        "measured_s": measured_s,
        "memory": memory,
    }
    if accuracy:
        record["accuracy"] = accuracy
    return record


def duplicate_record(
    *, key: str, effective: dict[str, Any], compile_ms: float, loaded_from_cache: bool
) -> dict[str, Any]:
    """What a trial produces when its effective configuration was measured already: the
    identity read back after compile, and nothing measured."""
    return {
        "key": key,
        "duplicate": True,
        "effective": effective,
        "compile_ms": compile_ms,
        "loaded_from_cache": loaded_from_cache,
    }
