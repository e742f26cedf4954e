"""Each config's latency distribution, as data, where latency is the figure — the sync loop
(single-stream), K periodic sources (multi-stream --streams K) or Poisson arrivals at a fixed
rate (server --objective latency --rate R): the ECDF of the latencies for the winner, the
confirmed candidates and every hint beside them, with the percentile the study judges and its
limit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import plotly.graph_objects as go

from autotune.judge import Decision
from autotune.study import TrialResult


@dataclass(frozen=True)
class LatencyCurve:
    label: str
    role: str  # "winner", "LATENCY hint", "winner = LATENCY hint", "candidate"
    latency_ms: tuple[float, ...]  # increasing
    fraction: tuple[float, ...]  # share of requests at or below each latency (0–1]
    figure_ms: float  # the judged percentile: confirmed median, else the search's

    def at(self, fraction: float) -> float:
        """The latency at ``fraction`` of the requests (nearest point at or above it)."""
        return next(
            (v for v, f in zip(self.latency_ms, self.fraction, strict=True) if f >= fraction),
            self.latency_ms[-1],
        )


@dataclass(frozen=True)
class LatencyInfo:
    curves: tuple[LatencyCurve, ...]
    percentile: float
    limit_ms: float | None


def latency_info(
    trials: Sequence[TrialResult], decision: Decision, percentile: float, limit_ms: float | None
) -> LatencyInfo | None:
    """One curve per config shown (winner, confirmed candidates, hints), from the distribution
    its first measured trial kept; None when the study kept none (other scenarios)."""
    winner = decision.winner
    shown = [c for c in decision.contenders if c is winner or c.confirmed or c.is_hint]
    curves = []
    for c in shown:
        kept = next(
            (
                t.load["latency_distribution_ms"]
                for t in trials
                if t.key == c.key and t.load.get("latency_distribution_ms")
            ),
            None,
        )
        if not kept:
            continue
        roles = [c.label] if c.is_hint else []
        if c is winner:
            roles.insert(0, "winner")
        curves.append(
            LatencyCurve(
                label=c.label,
                role=" = ".join(roles) or "candidate",
                latency_ms=tuple(float(ms) for _, ms in kept),
                fraction=tuple(float(p) / 100 for p, _ in kept),
                figure_ms=c.throughput.estimate,
            )
        )
    if not curves:
        return None
    curves.sort(key=lambda x: ("winner" not in x.role, x.figure_ms))
    return LatencyInfo(curves=tuple(curves), percentile=percentile, limit_ms=limit_ms)


def latency_figure(info: LatencyInfo) -> go.Figure:
    """The sync loop's latency ECDF per config: further left is faster; the dotted line is the
    judged percentile, the dashed one the limit."""
    fig = go.Figure()
    for curve in info.curves:
        fig.add_trace(
            go.Scatter(
                x=list(curve.latency_ms),
                y=[100 * f for f in curve.fraction],
                mode="lines",
                line={"width": 3 if "winner" in curve.role else 1.5, "shape": "hv"},
                name=f"{curve.label} ({curve.role}): {curve.figure_ms:.3g} ms",
                hovertemplate="%{x:.3g} ms: %{y:.1f} % of requests",
            )
        )
    fig.add_hline(y=info.percentile, line_dash="dot", annotation_text=f"p{info.percentile:g}")
    if info.limit_ms is not None:
        fig.add_vline(x=info.limit_ms, line_dash="dash", annotation_text="limit")
    fig.update_layout(
        title="Latency distribution of the sync loop (one request in flight)",
        xaxis_title="latency (ms)",
        yaxis_title="requests at or below (%)",
        height=460,
        legend={"orientation": "h", "y": -0.25},
    )
    return fig
