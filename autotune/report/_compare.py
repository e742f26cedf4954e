"""Several studies side by side (e.g. one model on two machines or two OpenVINO versions)."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from pathlib import Path

import optuna
import plotly.graph_objects as go
import plotly.offline

from autotune.files import write_atomic
from autotune.report._data import pareto_keys
from autotune.store import load_meta, study_decision_of


@dataclass(frozen=True)
class CompareRow:
    study: str
    model: str
    cpu: str
    openvino: str
    limit: str
    winner: str
    throughput_fps: float
    latency_ms: float  # the constrained percentile of the winner
    best_hint: str
    ratio: float  # winner ÷ fastest feasible hint: paired rounds when confirmed
    points: tuple[tuple[float, float, bool, str], ...]  # (latency, fps, pareto, label) per config


def compare_info(studies: list[optuna.Study]) -> list[CompareRow]:
    rows = []
    for study in studies:
        meta = load_meta(study)
        limits, _, configs, _, decision = study_decision_of(study)
        winner = decision.winner
        hint = decision.reference_hint
        front = pareto_keys(configs)
        ratio = math.nan
        if winner is not None and hint is not None:
            paired = decision.ratios.get(hint.presets[0])
            ratio = (
                paired.estimate
                if paired is not None
                else winner.throughput.estimate / hint.throughput.estimate
            )
        env = meta.get("environment", {})
        rows.append(
            CompareRow(
                study=study.study_name,
                model=Path(meta["model"]["path"]).name,
                cpu=str(env.get("cpu", "?")),
                openvino=str(env.get("openvino", "?")).split("-")[0],
                limit=limits.describe(),
                winner=winner.label if winner else "none",
                throughput_fps=winner.throughput.estimate if winner else math.nan,
                latency_ms=winner.constrained_latency_ms if winner else math.nan,
                best_hint=f"{hint.label} {hint.throughput.estimate:.1f}" if hint else "none",
                ratio=ratio,
                points=tuple(
                    (c.constrained_latency_ms, c.throughput_fps, c.key in front, c.label)
                    for c in configs
                    if c.feasible
                ),
            )
        )
    return rows


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


def write_compare(studies: list[optuna.Study], path: str | Path) -> tuple[Path, list[CompareRow]]:
    rows = compare_info(studies)
    head = [
        "study",
        "model",
        "CPU",
        "OpenVINO",
        "limit",
        "winner",
        "FPS",
        "latency ms",
        "best hint",
        "× hint",
    ]
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(str(v))}</td>"
            for v in (
                r.study,
                r.model,
                r.cpu,
                r.openvino,
                r.limit,
                r.winner,
                f"{r.throughput_fps:.1f}",
                f"{r.latency_ms:.2f}",
                r.best_hint,
                f"{r.ratio:.2f}×",
            )
        )
        + "</tr>"
        for r in rows
    )
    figure = compare_figure(rows).to_html(full_html=False, include_plotlyjs=False)
    page = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>autotune compare</title>
<script>{plotly.offline.get_plotlyjs()}</script>
<style>body{{font-family:system-ui,sans-serif;margin:24px}}td,th{{padding:4px 8px;border-bottom:1px solid #eee}}</style>
</head><body><h1>autotune compare</h1>
<table><thead><tr>{"".join(f"<th>{h}</th>" for h in head)}</tr></thead><tbody>{body}</tbody></table>
{figure}</body></html>"""
    return write_atomic(path, page), rows
