"""The report's sortable tables: every trial, and every unique effective configuration."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from autotune.measure import percentile_key
from autotune.report._pareto import three_way_front
from autotune.study import ConfigResult, TrialResult


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
