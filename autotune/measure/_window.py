"""One measurement window, and the nearest-rank percentile arithmetic benchmark_app uses."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from autotune.core import SINGLE_STREAM

# A window should hold at least this many requests, and a trial at least this many windows.
MIN_REQUESTS_PER_WINDOW = 30
MIN_WINDOWS = 3
DISPLAY_PERCENTILES = (50.0, 90.0, 99.0)
# A window judged on its own latency percentile (single-stream) holds this many requests at or
# beyond that percentile: 100 requests for a p90, 1000 for a p99 (capped for p99.9 and above).
TAIL_REQUESTS = 10
MAX_REQUESTS_PER_WINDOW = 5000


MAX_STRETCH = 10  # a confirmation window grows to at most this many times its planned length


def window_requests(scenario: str, percent: float) -> int:
    """Requests a window holds: enough for its latency percentile where that is the figure
    (single-stream), else :data:`MIN_REQUESTS_PER_WINDOW`."""
    return requests_for(percent) if scenario == SINGLE_STREAM else MIN_REQUESTS_PER_WINDOW


def requests_for(percent: float) -> int:
    """The fewest requests a window needs when its ``percent`` latency is the figure: its
    tail beyond the percentile then holds :data:`TAIL_REQUESTS` of them (nearest rank: a p90 of
    100 values is the 90th; 10 are at or above it)."""
    if percent >= 100:
        return MAX_REQUESTS_PER_WINDOW
    tail = 1.0 - percent / 100.0
    return int(
        min(
            MAX_REQUESTS_PER_WINDOW,
            max(MIN_REQUESTS_PER_WINDOW, math.ceil(TAIL_REQUESTS / tail - 1e-9)),
        )
    )


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


def over_runs(latencies_ms: Sequence[float], limit_ms: float) -> tuple[int, int]:
    """(latencies over ``limit_ms``, the sum of the squared lengths of their runs): requests
    over a limit come in runs (a stall delays every request behind it), and a run weighs as
    one piece of evidence, not many (see :class:`autotune.judge.Evidence`)."""
    count = squares = run = 0
    for value in latencies_ms:
        if value > limit_ms:
            count += 1
            run += 1
        else:
            squares += run * run
            run = 0
    return count, squares + run * run


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
    # latencies over the limit the window was measured against, and the sum of the squared
    # lengths of their runs (consecutive completions over it: see ``over_runs``); None without
    # a limit, and in records from before they were counted
    over: int | None = None
    over_sq: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Window:
        return cls(**{**data, "latency_ms": dict(data["latency_ms"])})


# The quantiles a latency distribution is kept at (single-stream): every percent, then the tail.
DISTRIBUTION_PERCENTS = (*(float(p) for p in range(1, 100)), 99.5, 99.9, 100.0)


def distribution(latencies: Iterable[float]) -> list[list[float]]:
    """``[[percent, ms], …]`` at :data:`DISTRIBUTION_PERCENTS` (nearest rank): a few hundred
    bytes that draw the latency's ECDF however many requests were measured."""
    ordered = sorted(v for v in latencies if math.isfinite(v))
    if not ordered:
        return []
    return [[p, percentile(ordered, p)] for p in DISTRIBUTION_PERCENTS]
