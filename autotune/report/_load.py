"""The server scenario's load curves, as data: latency against offered load (the "hockey
stick") for the winner and each hint, with the limit and each config's sustainable rate."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from autotune.measure import LoadPoint, percentile_key


@dataclass(frozen=True)
class LoadCurve:
    label: str
    role: str  # "winner", "hint", "winner = hint"
    sustainable_rate: float  # req/s (the judge's figure)
    closed_loop_fps: float  # the ceiling a closed-loop benchmark reports
    rates: tuple[float, ...]  # offered, req/s
    percentile_ms: tuple[float, ...]  # the limit's percentile at each rate (inf: dropped)
    p50_ms: tuple[float, ...]
    achieved: tuple[float, ...]  # req/s completed


@dataclass(frozen=True)
class LoadCurveInfo:
    curves: tuple[LoadCurve, ...]
    limit_ms: float
    percentile: float

    @property
    def key(self) -> str:
        return percentile_key(self.percentile)


def load_curve_info(record: dict[str, Any], winner_key: str | None) -> LoadCurveInfo | None:
    """From the study's ``load_curves`` attribute (None when the study has none)."""
    if not record or not record.get("curves"):
        return None
    percent = float(record["percentile"])
    key = percentile_key(percent)
    curves = []
    for curve in record["curves"]:
        points = sorted(
            (LoadPoint.from_dict(p) for p in curve["points"]), key=lambda p: p.offered_rate
        )
        winner = curve["key"] == winner_key
        role = "winner = hint" if winner and curve["hint"] else ("winner" if winner else "hint")
        curves.append(
            LoadCurve(
                label=str(curve["label"]),
                role=role,
                sustainable_rate=float(curve["sustainable_rate"]),
                closed_loop_fps=float(curve.get("capacity_fps") or math.nan),
                rates=tuple(p.offered_rate for p in points),
                percentile_ms=tuple(
                    p.latency_ms[key] if p.dropped == 0 else math.inf for p in points
                ),
                p50_ms=tuple(p.latency_ms["p50"] for p in points),
                achieved=tuple(p.achieved_rate for p in points),
            )
        )
    return LoadCurveInfo(
        curves=tuple(curves), limit_ms=float(record["limit_ms"]), percentile=percent
    )
