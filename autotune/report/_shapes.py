"""Latency per request shape (a study measured over the traffic's mix of shapes), as data, then
drawn: for the winner and each hint, the latency percentiles of every shape the requests had."""

from __future__ import annotations

import re
from dataclasses import dataclass

import plotly.graph_objects as go

from autotune.judge import Decision
from autotune.study import ConfigResult, TrialResult


@dataclass(frozen=True)
class ShapeRow:
    label: str  # the config
    role: str  # "winner", "LATENCY hint", "winner = LATENCY hint"
    shape: str  # "x[256]": the varying axes' sizes
    requests: int
    p50_ms: float
    p90_ms: float


@dataclass(frozen=True)
class ShapeLatencyInfo:
    rows: tuple[ShapeRow, ...]

    @property
    def shapes(self) -> list[str]:
        """The shape labels, ordered by size."""

        def size(label: str) -> list[int]:
            return [int(n) for n in re.findall(r"\d+", label)]

        return sorted({r.shape for r in self.rows}, key=size)


def shape_latency_info(
    trials: list[TrialResult], configs: list[ConfigResult], decision: Decision
) -> ShapeLatencyInfo | None:
    """From the winner's and the hints' search trials (None when requests had one shape)."""
    shown = [c for c in decision.contenders if c is decision.winner or c.is_hint]
    by_trial = {t.number: t for t in trials}
    rows: list[ShapeRow] = []
    for contender in shown:
        config = next((c for c in configs if c.key == contender.key), None)
        if config is None:
            continue
        roles = [contender.label] if contender.is_hint else []
        if contender is decision.winner:
            roles.insert(0, "winner")
        trial = by_trial.get(config.first_trial)
        by_shape = (trial.metrics.get("by_shape") if trial is not None else None) or {}
        for shape, figures in by_shape.items():
            rows.append(
                ShapeRow(
                    label=contender.label,
                    role=" = ".join(roles),
                    shape=shape,
                    requests=int(figures["requests"]),
                    p50_ms=float(figures["p50"]),
                    p90_ms=float(figures.get("p90", figures["p50"])),
                )
            )
    return ShapeLatencyInfo(tuple(rows)) if rows else None


def shape_latency_figure(info: ShapeLatencyInfo) -> go.Figure:
    """p90 latency per request shape, one line per config (p50 in the hover)."""
    fig = go.Figure()
    order = info.shapes
    for role in dict.fromkeys(r.role for r in info.rows):
        rows = sorted((r for r in info.rows if r.role == role), key=lambda r: order.index(r.shape))
        fig.add_trace(
            go.Scatter(
                x=[r.shape for r in rows],
                y=[r.p90_ms for r in rows],
                mode="lines+markers",
                name=role,
                customdata=[[r.p50_ms, r.requests] for r in rows],
                hovertemplate="%{x}<br>p90 %{y:.3g} ms<br>p50 %{customdata[0]:.3g} ms"
                "<br>%{customdata[1]} requests",
            )
        )
    fig.update_layout(
        title="Latency per request shape (the traffic's mix)",
        xaxis={
            "title": "request shape (varying axes)",
            "categoryorder": "array",
            "categoryarray": order,
        },
        yaxis_title="p90 latency (ms)",
        height=420,
    )
    return fig
