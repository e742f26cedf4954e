"""The Pareto front of a study (throughput ↑, latency ↓; and with memory ↓), as data."""

from __future__ import annotations

import math
from dataclasses import dataclass

from autotune.judge import Decision, Limits
from autotune.measure import percentile_key
from autotune.study import ConfigResult

LATENCY_VIEWS = ("p50", "p90", "p99")


@dataclass(frozen=True)
class ParetoPoint:
    key: str
    label: str
    throughput_fps: float
    latency_ms: dict[str, float]  # p50/p90/p99 + "constrained"
    feasible: bool
    presets: tuple[str, ...]
    trials: tuple[int, ...]
    pareto_optimal: bool
    winner: bool
    hover: str


@dataclass(frozen=True)
class ParetoInfo:
    points: tuple[ParetoPoint, ...]
    limit_ms: float | None
    percentile: str  # the constrained percentile key, e.g. "p90"
    views: tuple[str, ...] = LATENCY_VIEWS


def _dominates(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """(throughput ↑, latency ↓): a is at least as good in both and better in one."""
    return a[0] >= b[0] and a[1] <= b[1] and (a[0] > b[0] or a[1] < b[1])


def pareto_keys(configs: list[ConfigResult]) -> set[str]:
    """Keys of configurations no other configuration beats on both throughput and latency."""
    points = {
        c.key: (c.throughput_fps, c.constrained_latency_ms)
        for c in configs
        if math.isfinite(c.constrained_latency_ms)
    }
    return {
        k
        for k, p in points.items()
        if not any(_dominates(q, p) for j, q in points.items() if j != k)
    }


def _hover(c: ConfigResult) -> str:
    lines = [
        f"<b>{c.label}</b>",
        c.effective.describe(),
        f"trials: {', '.join(f'#{t}' for t in c.trials)}",
    ]
    lines.append(f"search: {c.throughput_fps:.1f} FPS")
    lines.append(
        " / ".join(f"{k} {c.latency_ms.get(k, math.nan):.2f}" for k in LATENCY_VIEWS) + " ms"
    )
    if c.memory_bytes is not None:
        lines.append(f"peak memory {c.memory_bytes / 1e6:.1f} MB above the idle runtime")
    if c.accuracy is not None:
        lines.append(f"vs f32: {c.accuracy.describe()}")
    lines.extend(f"{k}={v}" for k, v in c.config.properties().items())
    return "<br>".join(lines)


def pareto_info(
    configs: list[ConfigResult], limits: Limits, decision: Decision | None = None
) -> ParetoInfo:
    """Every unique config at its search figures (the chart compares what the search saw;
    the summary table holds the confirmed figures)."""
    front = pareto_keys(configs)
    win = decision.winner.key if decision is not None and decision.winner else None
    points = tuple(
        ParetoPoint(
            key=c.key,
            label=c.label,
            throughput_fps=c.throughput_fps,
            latency_ms={
                **{k: c.latency_ms.get(k, math.nan) for k in LATENCY_VIEWS},
                "constrained": c.constrained_latency_ms,
            },
            feasible=c.feasible,
            presets=c.presets,
            trials=c.trials,
            pareto_optimal=c.key in front,
            winner=c.key == win,
            hover=_hover(c),
        )
        for c in configs
    )
    return ParetoInfo(
        points=points, limit_ms=limits.max_latency_ms, percentile=percentile_key(limits.percentile)
    )


def three_way_front(configs: list[ConfigResult]) -> set[str]:
    """Keys not beaten on throughput ↑, latency ↓ and memory ↓ together (--objective pareto)."""
    points = {
        c.key: (c.throughput_fps, c.constrained_latency_ms, c.memory_bytes or 0.0)
        for c in configs
        if math.isfinite(c.constrained_latency_ms)
    }

    def beats(a: tuple[float, float, float], b: tuple[float, float, float]) -> bool:
        return a[0] >= b[0] and a[1] <= b[1] and a[2] <= b[2] and a != b

    return {
        k for k, p in points.items() if not any(beats(q, p) for j, q in points.items() if j != k)
    }
