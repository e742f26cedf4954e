"""After the search: a closer look at the winner — how fast it starts (cold compile, from the
cache, first inference), where its time goes (PERF_COUNT), and how far it is from the machine's
achievable GFLOP/s (measured once per hardware fingerprint and cached)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from autotune.core import write_atomic
from autotune.judge import throughput_of
from autotune.measure import (
    Runner,
    TrialFailure,
    Window,
    efficiency,
    machine_lock,
    summarize_layers,
)
from autotune.study import ConfigResult

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
    model_path: str,
    shape: dict[str, list[int]] | None,
    flops_per_frame: float | None,
    fingerprint: dict[str, Any],
    fps: float,
) -> dict[str, Any]:
    """Load times, a per-layer profile and the efficiency figure of the winner."""
    payload = {"model_path": model_path, "shape": shape, "config": winner.config.to_dict()}
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
