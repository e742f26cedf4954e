"""What the isolated worker runs: compile one configuration and measure it.

Every handler takes and returns plain JSON-able data, so the parent (which stores it in the
study) never needs openvino objects. Each runs on a :class:`Backend`: the real runtime in the
worker, the simulated machine in search-logic tests — the same code either way.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from autotune.core import InputInfo, RuntimeConfig
from autotune.measure._accuracy import compare_outputs
from autotune.measure._backend import Backend, RuntimeBackend, Session
from autotune.measure._records import duplicate_record, measurement_record
from autotune.measure._run import WindowPlan, measure, run_windows, warm_up
from autotune.measure._samples import load_samples, random_samples
from autotune.measure._server import interleaved_rates, measure_curve, measure_server
from autotune.measure._window import MIN_REQUESTS_PER_WINDOW

PEAK_MATMUL_SIZE = 1024
# The worker's backend, and its resident memory before the first compile: the idle runtime
# (openvino loaded, model read) that every trial's peak is measured against.
RUNTIME = RuntimeBackend()
_IDLE_RSS: dict[int, int | None] = {}


def _idle_rss(backend: Backend) -> int | None:
    if id(backend) not in _IDLE_RSS:
        _IDLE_RSS[id(backend)] = backend.rss_bytes()
    return _IDLE_RSS[id(backend)]


def _load_reference(
    path: str,
) -> tuple[list[list[np.ndarray]], list[dict[str, np.ndarray]], str]:
    with np.load(path, allow_pickle=False) as data:
        count = int(data["count"])
        n_inputs = int(data["inputs"])
        names = [str(n) for n in data["output_names"]]
        samples = [[data[f"in_{s}_{i}"] for i in range(n_inputs)] for s in range(count)]
        outputs = [{n: data[f"out_{s}_{k}"] for k, n in enumerate(names)} for s in range(count)]
        source = str(data["source"]) if "source" in data else "random"
    return samples, outputs, source


def accuracy(session: Session, reference_path: str) -> dict[str, Any]:
    """This config's outputs against the f32 reference on every sample (figures per output)."""
    samples, expected, source = _load_reference(reference_path)
    got = [session.infer(sample) for sample in samples]
    return compare_outputs(expected, got, source)


def reference_outputs(
    *,
    model_path: str,
    shape: dict[str, list[int]] | None,
    out_path: str,
    inputs: tuple[InputInfo, ...],
    inputs_dir: str | None = None,
    backend: Backend = RUNTIME,
) -> dict[str, Any]:
    """Outputs of the f32 reference (LATENCY hint, f32) on fixed inputs, saved for every trial
    to compare against. ``inputs`` are the model's static inputs as the parent inspected them."""
    cfg = RuntimeConfig(hint="LATENCY", precision="f32", infer_requests=1)
    session = backend.compile(model_path, shape, cfg)
    try:
        samples = load_samples(inputs_dir, inputs) if inputs_dir else random_samples(inputs)
        arrays: dict[str, np.ndarray] = {}
        names: list[str] = []
        for s, sample in enumerate(samples):
            outputs = session.infer(sample)
            names = list(outputs)
            arrays.update({f"in_{s}_{i}": a for i, a in enumerate(sample)})
            arrays.update({f"out_{s}_{k}": outputs[n] for k, n in enumerate(names)})
    finally:
        session.close()
    target = Path(out_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".npz", delete=False) as f:
        contents: dict[str, Any] = {
            "count": len(samples),
            "inputs": len(samples[0]),
            "output_names": np.array(names),
            "source": np.array(inputs_dir or "random"),
            **arrays,
        }
        np.savez(f, **contents)
    Path(f.name).replace(target)
    return {"samples": len(samples), "outputs": names, "source": inputs_dir or "random"}


def measure_config(
    *,
    model_path: str,
    shape: dict[str, list[int]] | None,
    config: dict[str, Any],
    trial_time_s: float,
    percent: float,
    cache_dir: str | None = None,
    known_keys: list[str] | None = None,
    trial: int | None = None,
    latency_limit_ms: float | None = None,
    reference_path: str | None = None,
    scenario: str = "offline",
    backend: Backend = RUNTIME,
) -> dict[str, Any]:
    """Compile ``config`` and read back what it really runs. A configuration whose effective
    identity was measured before stops there (it is that configuration, already measured);
    otherwise time its first inference, measure it (in closed-loop windows, or its sustainable
    rate in the server scenario), and check its outputs against the f32 reference when there
    is one."""
    cfg = RuntimeConfig.from_dict(config)
    idle = _idle_rss(backend)
    rss_before = backend.rss_bytes()
    backend.reset_peak()
    session = backend.compile(model_path, shape, cfg, cache_dir=cache_dir)
    try:
        key = session.effective.key()
        if key in set(known_keys or ()):
            return duplicate_record(
                key=key,
                effective=session.effective.to_dict(),
                compile_ms=session.compile_ms,
                loaded_from_cache=session.loaded_from_cache,
            )
        first_ms = session.first_inference_ms()
        started = backend.clock()
        if scenario == "server":
            assert latency_limit_ms is not None, "the server scenario needs a latency limit"
            result = measure_server(
                session,
                trial_time_s=trial_time_s,
                percent=percent,
                limit_ms=latency_limit_ms,
                clock=backend.clock,
                cpu_reader=backend.cpu_sample,
                seed=trial or 0,
            )
        else:
            result = measure(
                session.pipeline,
                trial_time_s=trial_time_s,
                percent=percent,
                clock=backend.clock,
                cpu_reader=backend.cpu_sample,
                latency_limit_ms=latency_limit_ms,
            )
        measured_s = backend.clock() - started
        peak = backend.peak_rss_bytes()
        checked = accuracy(session, reference_path) if reference_path else None
    finally:
        session.close()
    return measurement_record(
        key=key,
        effective=session.effective.to_dict(),
        compile_ms=session.compile_ms,
        loaded_from_cache=session.loaded_from_cache,
        first_inference_ms=first_ms,
        measurement=result,
        measured_s=measured_s,
        memory={
            "idle_rss_bytes": idle,
            "rss_before_bytes": rss_before,
            "peak_rss_bytes": peak,
            "peak_delta_bytes": (peak - idle) if peak and idle else None,
        },
        accuracy=checked,
    )


def measure_interleaved(
    *,
    model_path: str,
    shape: dict[str, list[int]] | None,
    configs: list[dict[str, Any]],
    rounds: int,
    window_s: float,
    percent: float,
    cache_dir: str | None = None,
    scenario: str = "offline",
    start_rates: list[float] | None = None,
    latency_limit_ms: float | None = None,
    backend: Backend = RUNTIME,
) -> dict[str, Any]:
    """Re-measure several configs interleaved (A B C, B C A, C A B, ...), one window each per
    round, so slow drifts of the machine hit every config alike. In the server scenario a
    config's window is a short search for its sustainable rate, starting where it held last."""
    sessions = [
        backend.compile(model_path, shape, RuntimeConfig.from_dict(c), cache_dir=cache_dir)
        for c in configs
    ]
    if scenario == "server":
        assert start_rates is not None and latency_limit_ms is not None
        try:
            return interleaved_rates(
                sessions,
                start_rates,
                rounds=rounds,
                window_s=window_s,
                percent=percent,
                limit_ms=latency_limit_ms,
                clock=backend.clock,
                cpu_reader=backend.cpu_sample,
            )
        finally:
            for session in sessions:
                session.close()
    windows: list[list[dict[str, Any]]] = [[] for _ in sessions]
    plans: list[WindowPlan] = []
    try:
        for session in sessions:
            session.first_inference_ms()
            # Calibration warm-up, once per candidate (they were warm in the search already).
            done, span, _ = warm_up(session.pipeline, backend.clock, min(0.2, window_s / 4))
            session.pipeline.drain()
            rate = done / span if span > 0 else 0.0
            length = max(window_s, MIN_REQUESTS_PER_WINDOW / rate if rate > 0 else window_s)
            plans.append(WindowPlan(window_s=length, windows=1, max_extra_windows=0, short=False))
        for r in range(rounds):
            order = [(r + i) % len(sessions) for i in range(len(sessions))]
            for index in order:
                pipeline = sessions[index].pipeline
                # Refill the drained pipeline: one completion per request, then measure.
                warm_up(pipeline, backend.clock, 0.0)
                measured, _ = run_windows(
                    pipeline,
                    plans[index],
                    percent=percent,
                    clock=backend.clock,
                    cpu_reader=backend.cpu_sample,
                )
                window = measured[0].to_dict()
                window["index"] = r
                windows[index].append(window)
        return {
            "configs": [
                {
                    "key": s.effective.key(),
                    "effective": s.effective.to_dict(),
                    "windows": w,
                }
                for s, w in zip(sessions, windows, strict=True)
            ]
        }
    finally:
        for session in sessions:
            session.close()


def load_curves(
    *,
    model_path: str,
    shape: dict[str, list[int]] | None,
    configs: list[dict[str, Any]],
    rates: list[list[float]],
    window_s: float,
    percent: float,
    latency_limit_ms: float,
    cache_dir: str | None = None,
    backend: Backend = RUNTIME,
) -> dict[str, Any]:
    """Latency against offered load for each config at the given rates (the hockey stick)."""
    curves = []
    for config, config_rates in zip(configs, rates, strict=True):
        cfg = RuntimeConfig.from_dict(config)
        session = backend.compile(model_path, shape, cfg, cache_dir=cache_dir)
        try:
            session.first_inference_ms()
            points = measure_curve(
                session.open_pool(),
                config_rates,
                window_s=window_s,
                percent=percent,
                limit_ms=latency_limit_ms,
                clock=backend.clock,
            )
            curves.append(
                {"key": session.effective.key(), "points": [p.to_dict() for p in points]}
            )
        finally:
            session.close()
    return {"curves": curves}


def layer_counters(
    *,
    model_path: str,
    shape: dict[str, list[int]] | None,
    config: dict[str, Any],
    iterations: int = 30,
    backend: Backend = RUNTIME,
) -> dict[str, Any]:
    """Per-layer counters with PERF_COUNT on: where the time goes in this config."""
    cfg = RuntimeConfig.from_dict(config)
    session = backend.compile(model_path, shape, cfg, extra_properties={"PERF_COUNT": True})
    try:
        layers = session.profile(iterations)
    finally:
        session.close()
    return {"iterations": iterations, "layers": layers}


def load_times(
    *,
    model_path: str,
    shape: dict[str, list[int]] | None,
    config: dict[str, Any],
    backend: Backend = RUNTIME,
) -> dict[str, Any]:
    """Compile without a cache, then into a fresh cache, then from it; first inference each."""
    cfg = RuntimeConfig.from_dict(config)
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as cache:
        for name, cache_dir in (("cold", None), ("cache_fill", cache), ("cached", cache)):
            started = backend.clock()
            session = backend.compile(model_path, shape, cfg, cache_dir=cache_dir)
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


HANDLERS: dict[str, Callable[..., dict[str, Any]]] = {
    "measure_config": measure_config,
    "measure_interleaved": measure_interleaved,
    "load_curves": load_curves,
    "reference_outputs": reference_outputs,
    "layer_counters": layer_counters,
    "load_times": load_times,
    "matmul_windows": matmul_windows,
}
