"""The server scenario's load curves, as data: latency against offered load (the "hockey
stick") for the winner and each hint, with the limit and each config's stated rate. The curve's
points are exploratory (one short window each); the proof's looks, on many more arrivals, are
kept apart: they are what the stated rate rests on."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from autotune.measure import LoadPoint, percentile_key


@dataclass(frozen=True)
class ProofMark:
    """One look of the proof of a stated rate: every arrival measured at that rate so far."""

    rate: float  # req/s offered
    window_ms: float  # the limit's percentile in the look's own window
    arrivals: int
    over: int
    verdict: str  # "holds", "refuted", "unlikely", "more"


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
    proven: bool | None = None  # the stated rate was proven (None: no proof ran)
    proof: tuple[ProofMark, ...] = ()  # the looks of that proof, in order
    claim_text: str = ""  # what the stated rate rests on, in words


@dataclass(frozen=True)
class LoadCurveInfo:
    curves: tuple[LoadCurve, ...]
    limit_ms: float
    percentile: float

    @property
    def key(self) -> str:
        return percentile_key(self.percentile)


def _proof_fields(claim: dict[str, Any] | None) -> dict[str, Any]:
    if not claim:
        return {}
    return {
        "proven": bool(claim["proven"]),
        "proof": tuple(
            ProofMark(
                float(x["rate"]),
                float(x["window_ms"]),
                int(x["arrivals"]),
                int(x["over"]),
                str(x["verdict"]),
            )
            for x in claim.get("looks", [])
        ),
        "claim_text": str(claim.get("text", "")),
    }


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
                **_proof_fields(curve.get("claim")),
            )
        )
    return LoadCurveInfo(
        curves=tuple(curves), limit_ms=float(record["limit_ms"]), percentile=percent
    )
