"""Chart and table data computed from a study, apart from any drawing (tests assert on these)."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import optuna
import pandas as pd

from autotune.judge import Contender, Decision, Limits, format_confidence
from autotune.measure import percentile_key
from autotune.results import ConfigResult, TrialResult

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


@dataclass(frozen=True)
class ExplorationInfo:
    """Per-trial throughput/latency against batch and infer requests, by streams."""

    rows: (
        pd.DataFrame
    )  # columns: trial, batch, infer_requests, streams, throughput_fps, latency_ms, feasible


def exploration_info(
    trials: list[TrialResult], configs: list[ConfigResult], limits: Limits
) -> ExplorationInfo:
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
class SummaryRow:
    label: str
    role: str  # "winner", "LATENCY hint", "winner = LATENCY hint", "candidate"
    throughput_fps: float  # the config's figure: confirmed median, else search median
    interval: tuple[float, float] | None
    source: str  # "confirmed" or "search"
    latency_ms: dict[str, float]
    feasible: bool
    ratio: str  # the winner: "1.23× [1.10, 1.31]" vs the fastest feasible hint


@dataclass(frozen=True)
class SummaryInfo:
    rows: tuple[SummaryRow, ...]
    verdict: str
    limits: str
    warnings: tuple[str, ...]
    failed: tuple[tuple[int, str], ...]
    environment: dict[str, Any] = field(default_factory=dict)
    unique_configs: int = 0
    complete_trials: int = 0
    duplicates: int = 0
    findings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    confirmation: str = ""  # "10 interleaved rounds, 97.9 % intervals" or why there are none


def _row(c: Contender, configs: dict[str, ConfigResult], role: str, ratio: str) -> SummaryRow:
    config = configs.get(c.key)
    return SummaryRow(
        label=config.effective.describe() if config else c.label,
        role=role,
        throughput_fps=c.throughput.estimate,
        interval=(c.throughput.low, c.throughput.high) if c.throughput.n > 1 else None,
        source="confirmed" if c.confirmed else "search",
        latency_ms=c.latency_ms,
        feasible=c.feasible,
        ratio=ratio,
    )


def summary_info(
    trials: list[TrialResult],
    configs: list[ConfigResult],
    limits: Limits,
    decision: Decision,
    environment: dict[str, Any],
) -> SummaryInfo:
    """The winner, the other confirmed candidates and every hint, each at its one figure."""
    by_key = {c.key: c for c in configs}
    winner = decision.winner
    rows: list[SummaryRow] = []
    shown = [c for c in decision.contenders if c is winner or c.confirmed or c.is_hint]
    for c in sorted(shown, key=lambda c: (c is not winner, c.is_hint, -c.throughput.estimate)):
        roles = [f"{c.label}"] if c.is_hint else []
        if c is winner:
            roles.insert(0, "winner")
        ratio = ""
        if c is winner and decision.reference_hint is not None and not c.is_hint:
            r = decision.ratios.get(decision.reference_hint.presets[0])
            if r is not None:
                ratio = f"{r.estimate:.2f}× [{r.low:.2f}, {r.high:.2f}]"
            else:
                ratio = f"{c.throughput.estimate / decision.reference_hint.throughput.estimate:.2f}× (search)"
        rows.append(_row(c, by_key, " = ".join(roles) or "candidate", ratio))
    warnings: list[str] = []
    if winner is not None:
        stage = "confirmation rounds" if winner.confirmed else "search"
        warnings.extend(f"{stage}: {w}" for w in winner.warnings)
    rounds = max((len(c.rounds) for c in decision.contenders), default=0)
    if decision.confirmed and winner is not None:
        confirmation = (
            f"confirmed over {rounds} interleaved rounds; intervals are order-statistic "
            f"intervals of the median ({format_confidence(winner.throughput.confidence)} for "
            f"{rounds} rounds)"
        )
    else:
        confirmation = "not confirmed in interleaved rounds: figures are from the search"
    failed = tuple((t.number, t.fail_reason or t.state) for t in trials if t.state == "FAIL")
    return SummaryInfo(
        rows=tuple(rows),
        verdict=decision.verdict if winner is not None else f"{decision.problem} — {decision.fix}",
        limits=limits.describe(),
        warnings=tuple(dict.fromkeys(warnings)),
        failed=failed,
        environment=environment,
        unique_configs=len(configs),
        complete_trials=sum(1 for t in trials if t.measured),
        duplicates=sum(1 for t in trials if t.complete and t.duplicate_of is not None),
        findings=decision.findings,
        notes=decision.notes,
        confirmation=confirmation,
    )


def trials_table(trials: list[TrialResult], configs: list[ConfigResult]) -> pd.DataFrame:
    """One row per trial, for the sortable table."""
    feasible = {c.key: c.feasible for c in configs}
    rows = []
    for t in trials:
        lat = t.metrics.get("latency_ms", {})
        props = t.effective.properties if t.effective else {}
        rows.append(
            {
                "trial": t.number,
                "state": t.state,
                "config": t.label,
                "key": t.key or "",
                "streams": props.get("NUM_STREAMS", ""),
                "threads": props.get("INFERENCE_NUM_THREADS", ""),
                "precision": props.get("INFERENCE_PRECISION_HINT", ""),
                "batch": t.effective.batch if t.effective else "",
                "requests": t.effective.infer_requests if t.effective else "",
                "search FPS": round(t.throughput_fps, 2) if t.complete else None,
                "p50_ms": _r(lat.get("p50")),
                "p90_ms": _r(lat.get("p90")),
                "p99_ms": _r(lat.get("p99")),
                "constrained_ms": _r(t.metrics.get("constrained_latency_ms")),
                "feasible": feasible.get(t.key or "") if t.complete else None,
                "first_inference_ms": _r(t.metrics.get("first_inference_ms")),
                "memory_mb": _r((t.memory.get("peak_delta_bytes") or math.nan) / 1e6),
                "max_steal": _r(t.metrics.get("max_steal")),
                "note": t.fail_reason
                or (
                    f"duplicate of #{t.duplicate_of}: same effective configuration, not measured again"
                    if t.duplicate_of is not None
                    else "; ".join(t.stability_warnings)
                ),
            }
        )
    frame: pd.DataFrame = pd.DataFrame(rows)
    return frame


def _r(value: Any, digits: int = 3) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return round(v, digits) if math.isfinite(v) else None


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


def unique_configs_table(configs: list[ConfigResult], winner: str | None) -> pd.DataFrame:
    """One row per unique effective configuration, its windows pooled over its trials."""
    front = three_way_front(configs)
    rows = []
    for c in sorted(configs, key=lambda c: -c.throughput_fps):
        rows.append(
            {
                "": "★" if c.key == winner else "",
                "configuration (effective)": c.effective.describe(),
                "requested as": c.label,
                "trials": " ".join(f"#{t}" for t in c.trials),
                "windows": len(c.windows),
                "search FPS": round(c.throughput_fps, 1),
                f"{percentile_key(c.percentile)}_ms (constrained)": _r(c.constrained_latency_ms),
                "memory_mb": _r((c.memory_bytes or math.nan) / 1e6, 1),
                "meets limits": "yes" if c.feasible else "no",
                "Pareto (FPS, latency, memory)": "yes" if c.key in front else "",
            }
        )
    frame: pd.DataFrame = pd.DataFrame(rows)
    return frame


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
