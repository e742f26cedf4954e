"""Several studies side by side (e.g. one model on two machines or two OpenVINO versions)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import optuna

from autotune.core import BadInputError
from autotune.report._pareto import pareto_keys
from autotune.study import load_meta, study_decision_of


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
    ratio: float  # winner ÷ the reference hint, as the judge states it (NaN without one)
    points: tuple[tuple[float, float, bool, str], ...]  # (latency, fps, pareto, label) per config


def compare_info(studies: list[optuna.Study]) -> list[CompareRow]:
    """One row per study: its winner, and the winner's gain over its reference hint as the
    judge states it."""
    if len(studies) < 2:
        raise BadInputError("compare needs at least two study names", "e.g. autotune compare a b")
    rows = []
    for study in studies:
        meta = load_meta(study)
        limits, _, configs, _, decision = study_decision_of(study)
        winner = decision.winner
        hint = decision.reference_hint
        front = pareto_keys(configs)
        gain = decision.gain
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
                ratio=gain.estimate if gain is not None else math.nan,
                points=tuple(
                    (c.constrained_latency_ms, c.throughput_fps, c.key in front, c.label)
                    for c in configs
                    if c.feasible
                ),
            )
        )
    return rows
