"""Plotly figures drawn from the report's data (no computation here)."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from autotune.report._compare import CompareRow
from autotune.report._load import LoadCurveInfo
from autotune.report._pareto import ParetoInfo, ParetoPoint
from autotune.report._search import ExplorationInfo, HistoryInfo, MemoryPoint

FEASIBLE = "#1f77b4"
INFEASIBLE = "#c7c7c7"
HINT = "#ff7f0e"
WINNER = "#2ca02c"


def _log_range(values: list[float]) -> list[float] | None:
    finite = [v for v in values if v and math.isfinite(v) and v > 0]
    if not finite:
        return None
    return [math.log10(min(finite) / 1.5), math.log10(max(finite) * 1.5)]


def _pareto_groups(info: ParetoInfo) -> list[tuple[str, list[ParetoPoint], str, str, int]]:
    """The marker groups of the Pareto chart: (name, points, colour, symbol, size)."""
    points = info.points
    return [
        ("feasible", [p for p in points if p.feasible and not p.presets], FEASIBLE, "circle", 9),
        (
            "infeasible",
            [p for p in points if not p.feasible and not p.presets],
            INFEASIBLE,
            "x",
            9,
        ),
        ("hint presets", [p for p in points if p.presets], HINT, "diamond", 13),
        ("Pareto-optimal", [p for p in points if p.pareto_optimal], "#333333", "circle-open", 17),
        ("winner", [p for p in points if p.winner], WINNER, "star", 20),
    ]


def _pareto_trace(
    name: str, points: list[ParetoPoint], colour: str, symbol: str, size: int
) -> go.Scatter:
    labelled = name in ("hint presets", "winner")
    return go.Scatter(
        x=[p.latency_ms["constrained"] for p in points],
        y=[p.throughput_fps for p in points],
        mode="markers+text" if labelled else "markers",
        text=[" / ".join(p.presets) if name == "hint presets" else "winner" for p in points]
        if labelled
        else None,
        textposition="top center",
        name=name,
        marker={
            "color": colour,
            "symbol": symbol,
            "size": size,
            "line": {"width": 1.5, "color": "#333"} if name == "Pareto-optimal" else {"width": 0},
        },
        hovertext=[p.hover for p in points],
        hoverinfo="text",
    )


def pareto_figure(info: ParetoInfo) -> go.Figure:
    """Throughput vs latency; buttons switch the latency axis between p50/p90/p99 and the
    constrained figure (upper quartile over windows)."""
    views = ["constrained", *info.views]
    fig = go.Figure()
    groups = _pareto_groups(info)
    for group in groups:
        fig.add_trace(_pareto_trace(*group))
    if info.limit_ms is not None:
        fig.add_vline(
            x=info.limit_ms,
            line_dash="dash",
            line_color="#d62728",
            annotation_text=f"limit {info.limit_ms:g} ms ({info.percentile})",
        )
    buttons = []
    for view in views:
        xs = [[p.latency_ms[view] for p in g[1]] for g in groups]
        title = (
            f"{info.percentile} latency, upper quartile over windows (ms)"
            if view == "constrained"
            else f"{view} latency, all requests (ms)"
        )
        buttons.append(
            {"label": view, "method": "update", "args": [{"x": xs}, {"xaxis.title.text": title}]}
        )
    fig.update_layout(
        title="Throughput vs latency, search figures (one point per unique effective configuration)",
        xaxis_title=f"{info.percentile} latency, upper quartile over windows (ms)",
        yaxis_title="throughput in the search (FPS)",
        xaxis_type="log",  # hopeless configs sit 10-100× over the limit; keep the region near it readable
        xaxis_range=_log_range(
            [p.latency_ms["constrained"] for p in info.points]
            + ([info.limit_ms] if info.limit_ms else [])
        ),
        updatemenus=[
            {
                "buttons": buttons,
                "direction": "right",
                "x": 0,
                "y": 1.15,
                "xanchor": "left",
                "type": "buttons",
            }
        ],
        legend={"orientation": "h", "y": -0.2},
        height=520,
    )
    return fig


def exploration_figures(info: ExplorationInfo) -> list[go.Figure]:
    """Throughput and latency against batch and against infer requests, coloured by streams."""
    figures = []
    rows = info.rows
    for x, xlabel in (
        ("batch", "batch (frames per request)"),
        ("infer_requests", "infer requests"),
    ):
        for y, ylabel in (
            ("throughput_fps", "throughput (FPS)"),
            ("latency_ms", "constrained latency (ms)"),
        ):
            fig = go.Figure()
            for streams, group in rows.groupby("streams", sort=True) if not rows.empty else []:
                fig.add_trace(
                    go.Scatter(
                        x=group[x],
                        y=group[y],
                        mode="markers",
                        name=f"{streams} streams",
                        hovertext=[
                            f"#{t} {lbl}"
                            for t, lbl in zip(group["trial"], group["label"], strict=True)
                        ],
                        hoverinfo="text+y",
                        marker={
                            "size": 9,
                            "symbol": ["circle" if f else "x" for f in group["feasible"]],
                        },
                    )
                )
            fig.update_layout(
                title=f"{ylabel} vs {xlabel}",
                xaxis_title=xlabel,
                yaxis_title=ylabel,
                height=360,
                xaxis_type="log" if x == "batch" else "linear",
                xaxis_tickvals=[1, 2, 4, 8, 16, 32, 64] if x == "batch" else None,
            )
            figures.append(fig)
    return figures


def history_figure(info: HistoryInfo) -> go.Figure:
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=list(info.trials),
            y=list(info.values),
            mode="markers",
            name="trial (pooled throughput)",
            marker={"color": [FEASIBLE if f else INFEASIBLE for f in info.feasible], "size": 8},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=list(info.trials),
            y=[v if math.isfinite(v) else None for v in info.best_so_far],
            mode="lines",
            line_shape="hv",
            name="best feasible so far",
            line={"color": WINNER},
        )
    )
    fig.update_layout(
        title="Optimization history",
        xaxis_title="trial",
        yaxis_title="throughput (FPS)",
        height=380,
    )
    return fig


def importance_figure(importances: dict[str, float]) -> go.Figure | None:
    if not importances:
        return None
    names = list(importances)[::-1]
    fig = go.Figure(go.Bar(x=[importances[n] for n in names], y=names, orientation="h"))
    fig.update_layout(
        title="Parameter importances for throughput (Optuna's importance evaluator)",
        xaxis_title="importance",
        height=80 + 28 * len(names),
    )
    return fig


def parallel_figure(frame: pd.DataFrame) -> go.Figure | None:
    if frame.empty or len(frame) < 2:
        return None
    dims: list[dict[str, Any]] = []
    for column in ("streams", "threads", "batch", "infer_requests"):
        values = frame[column]
        if values.notna().any():
            dims.append({"label": column, "values": values.fillna(0)})
    for column in ("precision", "hint"):
        codes, labels = pd.factorize(frame[column])
        dims.append(
            {
                "label": column,
                "values": codes,
                "tickvals": list(range(len(labels))),
                "ticktext": list(labels),
            }
        )
    dims.append({"label": "throughput (FPS)", "values": frame["throughput_fps"]})
    fig = go.Figure(
        go.Parcoords(
            line={"color": frame["throughput_fps"], "colorscale": "Viridis", "showscale": True},
            dimensions=dims,
        )
    )
    fig.update_layout(title="Feasible trials: parameters vs throughput", height=420)
    return fig


def memory_figure(points: list[MemoryPoint]) -> go.Figure | None:
    """Throughput against peak memory, coloured by latency: what a throughput win costs."""
    if not points:
        return None
    fig = go.Figure(
        go.Scatter(
            x=[p.memory_mb for p in points],
            y=[p.throughput_fps for p in points],
            mode="markers",
            marker={
                "size": 11,
                "color": [p.latency_ms for p in points],
                "colorscale": "Viridis",
                "showscale": True,
                "colorbar": {"title": "latency ms"},
                "symbol": ["circle" if p.feasible else "x" for p in points],
            },
            hovertext=[
                f"{p.label}<br>{p.streams} streams<br>{p.memory_mb:.1f} MB, {p.latency_ms:.2f} ms"
                for p in points
            ],
            hoverinfo="text+y",
        )
    )
    fig.update_layout(
        title="Throughput vs peak memory (colour: constrained latency; × = over a limit)",
        xaxis_title="peak memory above the idle runtime (MB)",
        yaxis_title="throughput (FPS)",
        height=420,
    )
    return fig


def compare_figure(rows: list[CompareRow]) -> go.Figure:
    fig = go.Figure()
    for row in rows:
        front = sorted((p for p in row.points if p[2]), key=lambda p: p[0])
        fig.add_trace(
            go.Scatter(
                x=[p[0] for p in row.points],
                y=[p[1] for p in row.points],
                mode="markers",
                name=row.study,
                hovertext=[p[3] for p in row.points],
                hoverinfo="text+x+y",
                legendgroup=row.study,
                marker={"size": 8, "opacity": 0.6},
            )
        )
        fig.add_trace(
            go.Scatter(
                x=[p[0] for p in front],
                y=[p[1] for p in front],
                mode="lines",
                name=f"{row.study} front",
                legendgroup=row.study,
                showlegend=False,
            )
        )
    fig.update_layout(
        title="Feasible configurations and Pareto fronts, by study",
        xaxis_title="constrained latency (ms)",
        yaxis_title="throughput (FPS)",
        height=520,
    )
    return fig


def load_curve_figure(info: LoadCurveInfo) -> go.Figure:
    """Latency against offered load: each config's percentile climbs slowly, then turns up as
    the queue builds; the dashed line is the limit. The curve's points are exploratory (short
    windows, hollow markers); the proof's looks are filled (a circle where the rule showed
    the limit, a cross where the rate was given up), and the diamond is the stated rate."""
    fig = go.Figure()
    colors = ["#1b7837", "#2166ac", "#b2182b", "#7b3294", "#e08214"]
    ceiling = info.limit_ms * 3
    for i, curve in enumerate(info.curves):
        color = colors[i % len(colors)]
        shown = [min(v, ceiling) for v in curve.percentile_ms]
        fig.add_trace(
            go.Scatter(
                x=list(curve.rates),
                y=shown,
                mode="lines+markers",
                name=f"{curve.label} ({curve.role}) {info.key}, exploratory windows",
                line={"color": color, "width": 3 if "winner" in curve.role else 2, "dash": "dot"},
                marker={"symbol": "circle-open", "size": 8},
                customdata=[[a, p] for a, p in zip(curve.achieved, curve.p50_ms, strict=True)],
                hovertemplate="offered %{x:.1f} req/s<br>"
                + info.key
                + " %{y:.3g} ms<br>achieved %{customdata[0]:.1f} req/s<br>p50 %{customdata[1]:.3g} ms",
            )
        )
        if curve.proof:
            fig.add_trace(
                go.Scatter(
                    x=[m.rate for m in curve.proof],
                    y=[min(m.window_ms, ceiling) for m in curve.proof],
                    mode="markers",
                    marker={
                        "symbol": [
                            "circle" if m.verdict in ("holds", "more") else "x"
                            for m in curve.proof
                        ],
                        "size": [14 if m.verdict == "holds" else 9 for m in curve.proof],
                        "color": color,
                    },
                    name=f"{curve.label}: proof looks",
                    customdata=[[m.arrivals, m.over, m.verdict] for m in curve.proof],
                    hovertemplate="proof at %{x:.1f} req/s<br>"
                    + info.key
                    + " of this window %{y:.3g} ms<br>%{customdata[0]} arrivals so far, "
                    "%{customdata[1]} over the limit: %{customdata[2]}",
                )
            )
        if curve.sustainable_rate > 0:
            status = {True: "proven", False: "not proven", None: "rounds' median"}[curve.proven]
            fig.add_trace(
                go.Scatter(
                    x=[curve.sustainable_rate],
                    y=[info.limit_ms],
                    mode="markers",
                    marker={
                        "symbol": "diamond" if curve.proven else "diamond-open",
                        "size": 13,
                        "color": color,
                    },
                    name=f"{curve.label}: states {curve.sustainable_rate:.1f} req/s ({status})",
                    hovertext=curve.claim_text or None,
                    hovertemplate="stated rate %{x:.1f} req/s<br>%{hovertext}",
                )
            )
    fig.add_hline(
        y=info.limit_ms,
        line_dash="dash",
        line_color="black",
        annotation_text=f"limit {info.key} ≤ {info.limit_ms:g} ms",
    )
    fig.update_layout(
        title=f"Latency ({info.key}, from arrival) against offered load — Poisson arrivals",
        xaxis_title="offered load (requests/s)",
        yaxis_title=f"{info.key} latency (ms), capped at 3× the limit",
        height=480,
        legend={"orientation": "h", "y": -0.25},
    )
    return fig
