"""How the search went, as data: history, exploration of batch and requests, parameter
importances, parallel coordinates, memory."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import optuna
import pandas as pd

from autotune.study import ConfigResult, TrialResult


@dataclass(frozen=True)
class ExplorationInfo:
    """Per-trial throughput/latency against batch and infer requests, by streams."""

    rows: (
        pd.DataFrame
    )  # columns: trial, batch, infer_requests, streams, throughput_fps, latency_ms, feasible


def exploration_info(trials: list[TrialResult], configs: list[ConfigResult]) -> ExplorationInfo:
    feasible = {c.key: c.feasible for c in configs}
    records = []
    for t in trials:
        if not t.measured or t.effective is None:
            continue
        props = t.effective.properties
        records.append(
            {
                "trial": t.number,
                "batch": t.effective.batch * (t.config.auto_batch_size or 1 if t.config else 1),
                "infer_requests": t.effective.infer_requests,
                "streams": props.get("NUM_STREAMS", "?"),
                "throughput_fps": t.throughput_fps,
                "latency_ms": float(t.metrics.get("constrained_latency_ms", math.nan)),
                "feasible": feasible.get(t.key or "", False),
                "label": t.label,
            }
        )
    columns = [
        "trial",
        "batch",
        "infer_requests",
        "streams",
        "throughput_fps",
        "latency_ms",
        "feasible",
        "label",
    ]
    return ExplorationInfo(rows=pd.DataFrame.from_records(records, columns=columns))


@dataclass(frozen=True)
class HistoryInfo:
    trials: tuple[int, ...]
    values: tuple[float, ...]
    feasible: tuple[bool, ...]
    best_so_far: tuple[
        float, ...
    ]  # best feasible pooled throughput up to each trial (NaN before any)


def history_info(trials: list[TrialResult], configs: list[ConfigResult]) -> HistoryInfo:
    feasible_keys = {c.key for c in configs if c.feasible}
    numbers, values, flags, best = [], [], [], []
    running = math.nan
    for t in sorted(trials, key=lambda t: t.number):
        if not t.measured:
            continue
        value = t.throughput_fps
        ok = (t.key in feasible_keys) if t.key else False
        if ok and not (value <= running):
            running = value
        numbers.append(t.number)
        values.append(value)
        flags.append(ok)
        best.append(running)
    return HistoryInfo(tuple(numbers), tuple(values), tuple(flags), tuple(best))


def importance_info(study: optuna.Study) -> dict[str, float]:
    """Optuna's parameter importances for throughput (empty when there is too little data)."""
    complete = [
        t for t in study.get_trials(deepcopy=False) if t.state == optuna.trial.TrialState.COMPLETE
    ]
    if len(complete) < 4 or study._is_multi_objective():
        return {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "few trials per regime" is expected early on
            return dict(optuna.importance.get_param_importances(study))
    except (RuntimeError, ValueError, ZeroDivisionError):
        return {}


def parallel_info(trials: list[TrialResult], configs: list[ConfigResult]) -> pd.DataFrame:
    """Feasible trials' parameters and throughput, for parallel coordinates."""
    feasible_keys = {c.key for c in configs if c.feasible}
    rows = []
    for t in trials:
        if t.measured and t.key in feasible_keys and t.effective is not None:
            p = t.effective.properties
            rows.append(
                {
                    "streams": _num(p.get("NUM_STREAMS")),
                    "threads": _num(p.get("INFERENCE_NUM_THREADS")),
                    "batch": t.effective.batch,
                    "infer_requests": t.effective.infer_requests,
                    "precision": p.get("INFERENCE_PRECISION_HINT", "?"),
                    "hint": t.config.hint if t.config else "?",
                    "throughput_fps": t.throughput_fps,
                }
            )
    frame: pd.DataFrame = pd.DataFrame(rows)
    return frame


def _num(value: str | None) -> float:
    try:
        return float(value) if value is not None else math.nan
    except ValueError:
        return math.nan


@dataclass(frozen=True)
class MemoryPoint:
    key: str
    label: str
    memory_mb: float
    throughput_fps: float
    latency_ms: float
    streams: str
    feasible: bool


def memory_info(configs: list[ConfigResult]) -> list[MemoryPoint]:
    """Peak memory (above the idle runtime) against throughput and latency, per configuration:
    the three-way trade-off of --objective pareto."""
    return [
        MemoryPoint(
            key=c.key,
            label=c.label,
            memory_mb=c.memory_bytes / 1e6,
            throughput_fps=c.throughput_fps,
            latency_ms=c.constrained_latency_ms,
            streams=c.effective.properties.get("NUM_STREAMS", "?"),
            feasible=c.feasible,
        )
        for c in configs
        if c.memory_bytes is not None
    ]
