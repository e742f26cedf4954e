"""What the isolated worker runs: compile one configuration and measure it on the runtime.

Every handler takes and returns plain JSON-able data, so the parent (which stores it in the
study) never needs openvino objects.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from autotune import memory, runtime
from autotune.config import RuntimeConfig
from autotune.measure import (
    MIN_REQUESTS_PER_WINDOW,
    WindowPlan,
    measure,
    measurement_record,
    run_windows,
    warm_up,
)

# A configuration already measured (same effective identity) gets this share of the windows
# (at the same window length): they are pooled with the earlier ones instead of paying a full
# new measurement.
DUPLICATE_TIME_FRACTION = 0.3


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
) -> dict[str, Any]:
    """Compile ``config``, time its first inference, then measure it in windows."""
    cfg = RuntimeConfig.from_dict(config)
    rss_before = memory.rss_bytes()
    memory.reset_peak()
    session = runtime.CompiledSession(model_path, shape, cfg, cache_dir=cache_dir)
    try:
        key = session.effective.key()
        duplicate = key in set(known_keys or ())
        first_ms = session.first_inference_ms()
        started = time.perf_counter()
        result = measure(
            session.pipeline,
            trial_time_s=trial_time_s,
            percent=percent,
            windows_fraction=DUPLICATE_TIME_FRACTION if duplicate else 1.0,
            latency_limit_ms=latency_limit_ms,
        )
        measured_s = time.perf_counter() - started
        peak = memory.peak_rss_bytes()
    finally:
        session.close()
    return measurement_record(
        key=key,
        duplicate=duplicate,
        effective=session.effective.to_dict(),
        compile_ms=session.compile_ms,
        loaded_from_cache=session.loaded_from_cache,
        first_inference_ms=first_ms,
        measurement=result,
        measured_s=measured_s,
        memory={
            "rss_before_bytes": rss_before,
            "peak_rss_bytes": peak,
            "peak_delta_bytes": (peak - rss_before) if peak and rss_before else None,
        },
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
) -> dict[str, Any]:
    """Re-measure several configs interleaved (A B C, B C A, C A B, ...), one window each per
    round, so slow drifts of the machine hit every config alike."""
    sessions = [
        runtime.CompiledSession(model_path, shape, RuntimeConfig.from_dict(c), cache_dir=cache_dir)
        for c in configs
    ]
    windows: list[list[dict[str, Any]]] = [[] for _ in sessions]
    plans: list[WindowPlan] = []
    try:
        for session in sessions:
            session.first_inference_ms()
            # Calibration warm-up, once per candidate (they were warm in the search already).
            done, span, _ = warm_up(session.pipeline, time.perf_counter, min(0.2, window_s / 4))
            session.pipeline.drain()
            rate = done / span if span > 0 else 0.0
            length = max(window_s, MIN_REQUESTS_PER_WINDOW / rate if rate > 0 else window_s)
            plans.append(WindowPlan(window_s=length, windows=1, max_extra_windows=0, short=False))
        for r in range(rounds):
            order = [(r + i) % len(sessions) for i in range(len(sessions))]
            for index in order:
                pipeline = sessions[index].pipeline
                # Refill the drained pipeline: one completion per request, then measure.
                warm_up(pipeline, time.perf_counter, 0.0)
                measured, _ = run_windows(pipeline, plans[index], percent=percent)
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


HANDLERS: dict[str, Callable[..., dict[str, Any]]] = {
    "measure_config": measure_config,
    "measure_interleaved": measure_interleaved,
}
