"""After the search: a closer look at the winner — how fast it starts (cold compile, from the
cache, first inference), where its time goes (PERF_COUNT), and how far it is from the machine's
achievable GFLOP/s (measured once per hardware fingerprint and cached)."""

from __future__ import annotations

import hashlib
import json
import os
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autotune.core import write_atomic
from autotune.judge import Contender, Limits, throughput_of
from autotune.measure import (
    Runner,
    TrialFailure,
    Window,
    curve_rates,
    efficiency,
    machine_lock,
    summarize_layers,
)
from autotune.study import ConfigResult, TrialResult

CACHE_ENV = "AUTOTUNE_CACHE_DIR"


def cache_dir() -> Path:
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "autotune")


def machine_peak_gflops(
    runner: Runner, fingerprint: dict[str, Any], precision: str
) -> dict[str, Any]:
    """The machine's MatMul GFLOP/s at ``precision``, cached per fingerprint."""
    key = hashlib.sha256(json.dumps(fingerprint, sort_keys=True).encode()).hexdigest()[:16]
    path = cache_dir() / "peak_gflops.json"
    try:
        cache = json.loads(path.read_text())
    except (OSError, ValueError):
        cache = {}
    entry = cache.get(key, {}).get(precision)
    if entry is None:
        with machine_lock():
            measured = runner.call("matmul_windows", {"precision": precision}, timeout_s=300)
        windows = [Window.from_dict(w) for w in measured["windows"]]
        entry = {
            "precision": measured["precision"],
            "gflops": throughput_of(windows) * measured["flops_per_inference"] / 1e9,
            "matmul_size": measured["matmul_size"],
            "windows": len(windows),
        }
        cache.setdefault(key, {})[precision] = entry
        write_atomic(path, json.dumps(cache, indent=2))
        entry = {**entry, "cached": False}
    else:
        entry = {**entry, "cached": True}
    return dict(entry)


def analyse(
    runner: Runner,
    winner: ConfigResult,
    *,
    model: dict[str, Any],
    flops_per_frame: float | None,
    fingerprint: dict[str, Any],
    fps: float,
) -> dict[str, Any]:
    """Load times, a per-layer profile and the efficiency figure of the winner (``model``: the
    model part of a worker job, see :meth:`SearchPlan.model_payload`)."""
    payload = {**model, "config": winner.config.to_dict()}
    out: dict[str, Any] = {"key": winner.key}
    try:
        with machine_lock():
            out["load"] = runner.call("load_times", payload, timeout_s=600)
            layers = runner.call("layer_counters", payload, timeout_s=600)
        out["profile"] = summarize_layers(layers["layers"])
        precision = winner.effective.properties.get("INFERENCE_PRECISION_HINT", "f32")
        peak = machine_peak_gflops(runner, fingerprint, precision)
        out["efficiency"] = {
            **efficiency(flops_per_frame, fps, peak["gflops"]),
            "precision": peak["precision"],
        }
    except TrialFailure as exc:
        out["error"] = exc.reason
    return out


def load_curves(
    runner: Runner,
    contenders: Sequence[Contender],
    trials: Sequence[TrialResult],
    *,
    model: dict[str, Any],
    limits: Limits,
    window_s: float,
    cache_dir: str,
) -> dict[str, Any]:
    """Server scenario: latency against offered load for the winner and the hints (the hockey
    stick), at fractions of each one's stated rate (of its closed-loop ceiling when it held no
    rate), with the proof behind the stated rate kept beside the exploratory points."""
    assert limits.max_latency_ms is not None
    capacity = {
        c.key: statistics.median(
            t.load["capacity_fps"] for t in trials if t.key == c.key and t.load
        )
        if any(t.key == c.key and t.load for t in trials)
        else 0.0
        for c in contenders
    }
    rates = [curve_rates(c.stated_rate or capacity[c.key]) for c in contenders]
    payload = {
        **model,
        "configs": [c.config.to_dict() for c in contenders],
        "rates": rates,
        "window_s": window_s,
        "percent": limits.percentile,
        "latency_limit_ms": limits.max_latency_ms,
        "cache_dir": cache_dir,
    }
    timeout = 120.0 + 4 * window_s * sum(len(r) for r in rates)
    try:
        with machine_lock():
            result = runner.call("load_curves", payload, timeout_s=timeout)
    except TrialFailure as exc:
        return {"error": exc.reason, "curves": []}
    return {
        "percentile": limits.percentile,
        "limit_ms": limits.max_latency_ms,
        "curves": [
            {
                "key": c.key,
                "label": c.label,
                "hint": c.is_hint,
                "sustainable_rate": c.stated_rate,
                "capacity_fps": capacity[c.key],
                "points": curve["points"],
                "claim": c.claim.to_dict() if c.claim is not None else None,
            }
            for c, curve in zip(contenders, result["curves"], strict=True)
        ],
    }
