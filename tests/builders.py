"""Plain data for tests of the judge, the study views and the report: windows, decoded trials
and confirmation rounds with chosen figures."""

from __future__ import annotations

import statistics

from autotune.core import EffectiveConfig, RuntimeConfig, preset_label, preset_named
from autotune.judge import Accuracy, Contender, Limits, median_interval
from autotune.measure import Window
from autotune.study import ConfigResult, Confirmation, ConfirmedCandidate, TrialResult


def window(i: int, fps: float, p90: float, flagged: bool = False) -> Window:
    lat = {"p50": p90 * 0.8, "p90": p90, "p99": p90 * 1.2, "mean": p90 * 0.8, "max": p90 * 1.5}
    return Window(i, 100, 100, 0.1, fps, lat, 0.3 if flagged else 0.0, 0.0, 1.0, flagged)


def trial(
    n: int,
    key: str,
    fps: float,
    p90: float,
    preset: str | None = None,
    streams: str = "1",
    batch: int = 1,
    state: str = "COMPLETE",
    device: str = "CPU",
    duplicate_of: int | None = None,
) -> TrialResult:
    """A decoded trial whose five windows all read ``fps`` at ``p90``."""
    complete = state == "COMPLETE"
    cfg = RuntimeConfig(device=device, hint=preset or "NONE", batch=batch, preset=preset)
    eff = EffectiveConfig(
        "CPU",
        batch,
        1,
        {"NUM_STREAMS": streams, "INFERENCE_NUM_THREADS": "2", "INFERENCE_PRECISION_HINT": "f32"},
    )
    windows = (
        tuple(window(i, fps, p90) for i in range(5)) if complete and duplicate_of is None else ()
    )
    metrics = {
        "throughput_fps": fps,
        "constrained_latency_ms": p90,
        "latency_ms": {"p50": p90 * 0.8, "p90": p90, "p99": p90 * 1.2},
    }
    return TrialResult(
        n,
        state,
        cfg,
        preset,
        eff if complete else None,
        key if complete else None,
        windows,
        metrics if complete else {},
        (),
        {},
        {},
        "boom" if state == "FAIL" else None,
        1.0,
        duplicate_of=duplicate_of,
    )


def confirmation(
    configs: list[ConfigResult], fps: dict[str, list[float]], p90: dict[str, float]
) -> Confirmation:
    """Confirmation rounds with the given per-round throughput of each config (by key)."""
    rounds = len(next(iter(fps.values())))
    return Confirmation(
        candidates=tuple(
            ConfirmedCandidate(
                key=c.key,
                label=c.label,
                windows=tuple(window(r, fps[c.key][r], p90[c.key]) for r in range(rounds)),
            )
            for c in configs
            if c.key in fps
        ),
        rounds=rounds,
        window_s=0.5,
    )


# --- contenders for the judge -------------------------------------------------------------

LIMITS = Limits(max_latency_ms=5.0, percentile=90, max_drift=0.05, min_top1=0.99)
DRIFT = 0.004  # what bf16 does to a conv net: well inside the guard


def acc(rel_l2: float = DRIFT, top1: float | None = 1.0, source: str = "random") -> Accuracy:
    return Accuracy(rel_l2=rel_l2, top1=top1, max_rel=rel_l2 * 3, samples=8, source=source)


def contender(
    key: str,
    rounds: list[float],
    *,
    hint: str | None = None,
    latency: float = 2.0,
    memory: float | None = 50e6,
    device: str = "CPU",
    confirmed: bool = True,
    precision: str = "bf16",
    accuracy: Accuracy | None = None,
    limits: Limits = LIMITS,
) -> Contender:
    if hint:
        config = preset_named(hint, device)
        label = preset_label(hint)
    else:
        config = RuntimeConfig(device=device, hint="THROUGHPUT", batch=2)
        label = f"{key} ({device})"
    accuracy = accuracy or acc()
    return Contender(
        key=key,
        label=label,
        config=config,
        presets=(hint,) if hint else (),
        precision=precision,
        throughput=median_interval(rounds),
        latency_ms={"p50": latency * 0.8, "p90": latency, "p99": latency * 1.2},
        constrained_latency_ms=latency,
        memory_bytes=memory,
        accuracy=accuracy,
        to_first_result_ms=100.0,
        violations=limits.violations(latency, memory, accuracy, 100.0),
        confirmed=confirmed,
        search_throughput_fps=statistics.median(rounds),
        rounds=tuple(rounds) if confirmed else (),
        trials=(int(key[-1]) if key[-1].isdigit() else 0,),
        figure=limits.figure,
    )


def scaled(base: list[float], factors: list[float]) -> list[float]:
    return [b * f for b, f in zip(base, factors, strict=True)]


# Ten paired rounds on a drifting machine (±30 %): what every round of every config shares.
DRIFTING = [100, 70, 130, 90, 110, 80, 120, 95, 105, 85]
HINT = DRIFTING
ALWAYS_FASTER = scaled(DRIFTING, [1.10] * 10)  # 10 % faster in every round
SOMETIMES_FASTER = scaled(DRIFTING, [1.06, 0.97, 1.05, 1.08, 0.98, 1.04, 1.07, 0.99, 1.05, 1.06])
