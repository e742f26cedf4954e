"""What the isolated worker runs: compile one configuration and measure it.

Every handler takes and returns plain JSON-able data, so the parent (which stores it in the
study) never needs openvino objects. Each runs on a :class:`Backend`: the real runtime in the
worker, the simulated machine in search-logic tests — the same code either way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autotune.core import MULTI_STREAM, SINGLE_STREAM, RuntimeConfig
from autotune.measure._analysis_handlers import (
    layer_counters,
    load_times,
    matmul_windows,
)
from autotune.measure._at_rate import interleaved_at_rate, measure_at_rate
from autotune.measure._backend import RUNTIME, Backend, Session, model_options
from autotune.measure._records import duplicate_record, measurement_record
from autotune.measure._reference import accuracy, reference_outputs
from autotune.measure._rounds import interleaved_windows
from autotune.measure._run import measure
from autotune.measure._server import (
    interleaved_rates,
    measure_curve,
    measure_server,
    rate_windows,
)
from autotune.measure._serving import warm_pool
from autotune.measure._streams import interleaved_streams, measure_streams
from autotune.measure._variants import model_for, quantize
from autotune.measure._window import window_requests

# The worker's resident memory before the first compile: the idle runtime (openvino loaded,
# model read) that every trial's peak is measured against.
_IDLE_RSS: dict[int, int | None] = {}


def _idle_rss(backend: Backend) -> int | None:
    if id(backend) not in _IDLE_RSS:
        _IDLE_RSS[id(backend)] = backend.rss_bytes()
    return _IDLE_RSS[id(backend)]


def _compile(
    backend: Backend,
    config: dict[str, Any],
    model_path: str,
    shape: dict[str, list[int]] | None,
    batch_axes: dict[str, Any] | None,
    variants: dict[str, str] | None,
    cache_dir: str | None,
    mix: dict[str, Any] | None = None,
    pad: dict[str, float] | None = None,
) -> Session:
    """One configuration compiled on its model (the variant's IR where it has one), over the
    traffic's mix of shapes when it has one."""
    cfg = RuntimeConfig.from_dict(config)
    path, cache = model_for(cfg, model_path, variants, cache_dir)
    return backend.compile(
        path, shape, cfg, cache_dir=cache, **model_options(batch_axes, mix, pad)
    )


def measure_config(
    *,
    model_path: str,
    shape: dict[str, list[int]] | None,
    batch_axes: dict[str, Any] | None = None,
    mix: dict[str, Any] | None = None,
    pad: dict[str, float] | None = None,
    config: dict[str, Any],
    trial_time_s: float,
    percent: float,
    cache_dir: str | None = None,
    known_keys: list[str] | None = None,
    trial: int | None = None,
    latency_limit_ms: float | None = None,
    reference_path: str | None = None,
    scenario: str = "offline",
    variants: dict[str, str] | None = None,
    accuracy_fn: str | None = None,
    search_path: str | None = None,
    fps: float | None = None,
    streams: int | None = None,
    at_rate: float | None = None,
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
    path, cache = model_for(cfg, model_path, variants, cache_dir)
    session = backend.compile(
        path, shape, cfg, cache_dir=cache, **model_options(batch_axes, mix, pad)
    )
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
        open_loop: dict[str, Any] = {
            "trial_time_s": trial_time_s,
            "percent": percent,
            "limit_ms": latency_limit_ms,
            "clock": backend.clock,
            "cpu_reader": backend.cpu_sample,
            "seed": trial or 0,
        }
        if scenario == "server" and at_rate is not None:
            result = measure_at_rate(session, rate=at_rate, **open_loop)
        elif scenario == "server":
            assert latency_limit_ms is not None, "the server scenario needs a latency limit"
            result = measure_server(session, **open_loop)
        elif scenario == MULTI_STREAM:
            assert fps is not None, "the multi-stream scenario needs --fps"
            result = measure_streams(session, fps=fps, streams=streams, **open_loop)
        else:
            # single-stream: the sync loop (one request: SyncPipeline), windows for its tail
            result = measure(
                session.pipeline,
                trial_time_s=trial_time_s,
                percent=percent,
                clock=backend.clock,
                cpu_reader=backend.cpu_sample,
                latency_limit_ms=latency_limit_ms,
                min_requests=window_requests(scenario, percent),
                keep_distribution=scenario == SINGLE_STREAM,
            )
        measured_s = backend.clock() - started
        peak = backend.peak_rss_bytes()
        checked = (
            accuracy(session, reference_path, accuracy_fn, search_path) if reference_path else None
        )
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
    batch_axes: dict[str, Any] | None = None,
    mix: dict[str, Any] | None = None,
    pad: dict[str, float] | None = None,
    configs: list[dict[str, Any]],
    rounds: int,
    window_s: float,
    percent: float,
    cache_dir: str | None = None,
    first_round: int = 0,
    scenario: str = "offline",
    start_rates: list[float] | None = None,
    latency_limit_ms: float | None = None,
    variants: dict[str, str] | None = None,
    fps: float | None = None,
    streams: int | None = None,
    at_rate: float | None = None,
    backend: Backend = RUNTIME,
) -> dict[str, Any]:
    """Re-measure several configs interleaved (A B C, B C A, C A B, ...), one window each per
    round, so slow drifts of the machine hit every config alike. In the server scenario a
    config's window is a short search for its sustainable rate, starting where it held last.
    Rounds added to earlier ones start at ``first_round``: their windows are numbered on, and
    the rotation goes on where it stopped."""
    if scenario not in ("server", MULTI_STREAM):
        return interleaved_windows(
            lambda i: _compile(
                backend, configs[i], model_path, shape, batch_axes, variants, cache_dir, mix, pad
            ),
            len(configs),
            rounds=rounds,
            first_round=first_round,
            window_s=window_s,
            percent=percent,
            scenario=scenario,
            limit_ms=latency_limit_ms,
            clock=backend.clock,
            cpu_reader=backend.cpu_sample,
        )
    sessions = [
        _compile(backend, c, model_path, shape, batch_axes, variants, cache_dir, mix, pad)
        for c in configs
    ]
    common: dict[str, Any] = {
        "rounds": rounds,
        "first_round": first_round,
        "window_s": window_s,
        "percent": percent,
        "limit_ms": latency_limit_ms,
        "clock": backend.clock,
        "cpu_reader": backend.cpu_sample,
    }
    try:
        if scenario == MULTI_STREAM:
            assert fps is not None
            starts = [int(r) for r in (start_rates or [1] * len(sessions))]
            return interleaved_streams(sessions, starts, fps=fps, streams=streams, **common)
        if at_rate is not None:  # server, --objective latency: every config at one rate
            return interleaved_at_rate(sessions, at_rate, **common)
        assert start_rates is not None and latency_limit_ms is not None
        return interleaved_rates(sessions, start_rates, **common)
    finally:
        for session in sessions:
            session.close()


def measure_rates(
    *,
    model_path: str,
    shape: dict[str, list[int]] | None,
    batch_axes: dict[str, Any] | None = None,
    mix: dict[str, Any] | None = None,
    pad: dict[str, float] | None = None,
    configs: list[dict[str, Any]],
    windows: list[list[float] | None],
    percent: float,
    latency_limit_ms: float,
    cache_dir: str | None = None,
    variants: dict[str, str] | None = None,
    rotation: int = 0,
    backend: Backend = RUNTIME,
) -> dict[str, Any]:
    """Proof windows: each config once at a fixed Poisson rate, ``[rate, seconds]`` (None: not
    this time), one config after the other starting ``rotation`` places in, each counting the
    arrivals over the limit and the bursts they came in."""
    chosen = [i for i, w in enumerate(windows) if w is not None]
    order = chosen[rotation % len(chosen) :] + chosen[: rotation % len(chosen)] if chosen else []
    sessions = {
        i: _compile(
            backend, configs[i], model_path, shape, batch_axes, variants, cache_dir, mix, pad
        )
        for i in order
    }
    try:
        pools = {}
        for i, session in sessions.items():
            session.first_inference_ms()
            pools[i] = session.open_pool()
            warm_pool(pools[i], backend.clock)
        measured = rate_windows(
            [pools[i] for i in order],
            [(float(windows[i][0]), float(windows[i][1])) for i in order],  # type: ignore[index]
            percent=percent,
            limit_ms=latency_limit_ms,
            clock=backend.clock,
            seed=1000 * rotation,
        )
    finally:
        for session in sessions.values():
            session.close()
    points: list[dict[str, Any] | None] = [None] * len(windows)
    for i, point in zip(order, measured, strict=True):
        points[i] = point.to_dict() if point is not None else None
    return {"points": points}


def load_curves(
    *,
    model_path: str,
    shape: dict[str, list[int]] | None,
    batch_axes: dict[str, Any] | None = None,
    mix: dict[str, Any] | None = None,
    pad: dict[str, float] | None = None,
    configs: list[dict[str, Any]],
    rates: list[list[float]],
    window_s: float,
    percent: float,
    latency_limit_ms: float,
    cache_dir: str | None = None,
    variants: dict[str, str] | None = None,
    backend: Backend = RUNTIME,
) -> dict[str, Any]:
    """Latency against offered load for each config at the given rates (the hockey stick)."""
    curves = []
    for config, config_rates in zip(configs, rates, strict=True):
        session = _compile(
            backend, config, model_path, shape, batch_axes, variants, cache_dir, mix, pad
        )
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


HANDLERS: dict[str, Callable[..., dict[str, Any]]] = {
    "quantize": quantize,
    "measure_config": measure_config,
    "measure_interleaved": measure_interleaved,
    "measure_rates": measure_rates,
    "load_curves": load_curves,
    "reference_outputs": reference_outputs,
    "layer_counters": layer_counters,
    "load_times": load_times,
    "matmul_windows": matmul_windows,
}
