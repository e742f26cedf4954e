"""What the isolated worker runs to look closer at the winner: its per-layer counters, its
load times with and without the compile cache, and the machine's MatMul GFLOP/s."""

from __future__ import annotations

import tempfile
from typing import Any

from autotune.core import RuntimeConfig
from autotune.measure._backend import RUNTIME, Backend, model_options
from autotune.measure._run import measure
from autotune.measure._variants import model_for

PEAK_MATMUL_SIZE = 1024


def layer_counters(
    *,
    model_path: str,
    shape: dict[str, list[int]] | None,
    batch_axes: dict[str, Any] | None = None,
    mix: dict[str, Any] | None = None,
    pad: dict[str, float] | None = None,
    config: dict[str, Any],
    iterations: int = 30,
    variants: dict[str, str] | None = None,
    backend: Backend = RUNTIME,
) -> dict[str, Any]:
    """Per-layer counters with PERF_COUNT on: where the time goes in this config."""
    cfg = RuntimeConfig.from_dict(config)
    path, _ = model_for(cfg, model_path, variants)
    session = backend.compile(
        path,
        shape,
        cfg,
        extra_properties={"PERF_COUNT": True},
        **model_options(batch_axes, mix, pad),
    )
    try:
        layers = session.profile(iterations)
    finally:
        session.close()
    return {"iterations": iterations, "layers": layers}


def load_times(
    *,
    model_path: str,
    shape: dict[str, list[int]] | None,
    batch_axes: dict[str, Any] | None = None,
    mix: dict[str, Any] | None = None,
    pad: dict[str, float] | None = None,
    config: dict[str, Any],
    variants: dict[str, str] | None = None,
    backend: Backend = RUNTIME,
) -> dict[str, Any]:
    """Compile without a cache, then into a fresh cache, then from it; first inference each."""
    cfg = RuntimeConfig.from_dict(config)
    model_path, _ = model_for(cfg, model_path, variants)
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as cache:
        for name, cache_dir in (("cold", None), ("cache_fill", cache), ("cached", cache)):
            started = backend.clock()
            session = backend.compile(
                model_path,
                shape,
                cfg,
                cache_dir=cache_dir,
                **model_options(batch_axes, mix, pad),
            )
            first = session.first_inference_ms()
            out[name] = {
                "compile_ms": session.compile_ms,
                "first_inference_ms": first,
                "to_first_result_ms": (backend.clock() - started) * 1e3,
                "loaded_from_cache": session.loaded_from_cache,
            }
            session.close()
    return out


def matmul_windows(
    *, precision: str, seconds: float = 1.5, backend: Backend = RUNTIME
) -> dict[str, Any]:
    """Windows of a large MatMul at one precision (THROUGHPUT hint): the parent turns them into
    the machine's achievable GFLOP/s."""
    size = PEAK_MATMUL_SIZE
    cfg = RuntimeConfig(hint="THROUGHPUT", precision=precision)
    session = backend.compile_matmul(size, cfg)
    try:
        result = measure(
            session.pipeline,
            trial_time_s=seconds,
            percent=50,
            clock=backend.clock,
            cpu_reader=backend.cpu_sample,
        )
        effective = session.effective.properties.get("INFERENCE_PRECISION_HINT", precision)
    finally:
        session.close()
    return {
        "precision": effective,
        "flops_per_inference": 2.0 * size**3,
        "matmul_size": size,
        "windows": [w.to_dict() for w in result.windows],
    }
