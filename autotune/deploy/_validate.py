"""Re-measure an exported config against the hint presets on this machine, now — a regression
check for CI after a driver, OpenVINO or hardware change. The verdict is the judge's
(:func:`autotune.judge.judge_validation`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from autotune.core import (
    BATCH_DEVICE,
    DYNAMIC,
    OFFLINE,
    PRESET_HINTS,
    SERVER,
    ValidationFailedError,
    preset_named,
    rate_unit,
)
from autotune.deploy._config_file import load_config
from autotune.judge import ValidationResult, judge_validation
from autotune.measure import (
    IsolatedRunner,
    TrialFailure,
    Window,
    confirmation_window_s,
    default_trial_timeout,
    machine_lock,
)

VALIDATE_ROUNDS = 10


def _preset_device(device: str) -> str:
    """The device the hints run on: BATCH:CPU(4) → CPU; CPU and AUTO as they are."""
    if device.startswith(BATCH_DEVICE + ":"):
        return device.split(":", 1)[1].split("(", 1)[0]
    return device


def validate(
    path: str | Path,
    *,
    rounds: int = VALIDATE_ROUNDS,
    window_s: float | None = None,
    max_latency_ms: float | None = None,
    on_start: Callable[[str], None] | None = None,
) -> ValidationResult:
    """Measure the config and the LATENCY/THROUGHPUT presets interleaved; judge the limit on the
    upper quartile of per-round percentiles and the gain on paired per-round ratios."""
    config = load_config(path)
    doc = config.document
    constraint = doc.get("constraint") or {}
    limit = max_latency_ms if max_latency_ms is not None else constraint.get("max_latency_ms")
    percent = float(constraint.get("percentile") or 90.0)
    tuned = config.runtime_config
    device = _preset_device(config.device)
    # The hints the study judged against: those that met its limits (the f32 hints where the
    # default precision failed the accuracy guard, which validate does not re-measure).
    baselines = doc.get("baselines") or {}
    names = [n for n, b in baselines.items() if b.get("feasible")] or list(PRESET_HINTS)
    # at the batch the study measured them (1, unless --shape fixed another)
    policy = DYNAMIC if config.mix is not None else None  # the hints as users run them
    hints = [
        replace(preset_named(name, device), batch=config.batch_axes.batch, shape_policy=policy)
        for name in names
    ]
    candidates = [tuned, *hints]
    window = window_s or confirmation_window_s(2.0)
    variant = doc.get("variant") or {}
    payload: dict[str, Any] = {
        # an INT8 winner is measured on its IR, the hints on the user's model (as judged)
        "model_path": variant.get("original_model") or config.model,
        "variants": doc.get("variants"),
        "shape": config.base_shape,
        "batch_axes": config.batch_axes.to_dict(),
        "mix": config.mix.to_dict() if config.mix is not None else None,
        "pad": config.pad,
        "configs": [c.to_dict() for c in candidates],
        "rounds": rounds,
        "window_s": window,
        "percent": percent,
    }
    server = constraint.get("scenario") == SERVER
    if server:
        if limit is None:
            raise ValidationFailedError(
                "the config was tuned for the server scenario but has no latency limit",
                "re-export it with autotune export",
            )
        recorded_rates = [
            float((doc.get("metrics") or {}).get("throughput_fps") or 0.0),
            *(float(baselines.get(n, {}).get("throughput_fps") or 0.0) for n in names),
        ]
        payload.update(
            scenario=SERVER,
            start_rates=[r if r > 0 else 1.0 for r in recorded_rates],
            latency_limit_ms=limit,
        )
    timeout = (
        default_trial_timeout(window) + (8 if server else 3) * len(candidates) * rounds * window
    )
    if on_start is not None:  # only once the file is known good: errors come first, alone
        on_start(f"{len(candidates)} configs × {rounds} interleaved rounds of {window:g} s")
    with IsolatedRunner() as runner, machine_lock():
        try:
            result = runner.call("measure_interleaved", payload, timeout_s=timeout)
        except TrialFailure as exc:
            raise ValidationFailedError(
                f"the config no longer runs here: {exc.reason}",
                "re-run autotune search on this machine",
            ) from None
    measured = [[Window.from_dict(w) for w in c["windows"]] for c in result["configs"]]
    recorded = (doc.get("metrics") or {}).get("throughput_fps")
    return judge_validation(
        str(doc.get("label", doc.get("device", ""))),
        bool(doc.get("preset")) and not doc.get("variant"),  # a hint of the user's model
        measured[0],
        dict(zip(names, measured[1:], strict=True)),
        limit_ms=limit,
        percent=percent,
        recorded_fps=float(recorded) if recorded else None,
        min_rate=constraint.get("min_rate") if server else None,
        unit=rate_unit(SERVER if server else OFFLINE),
    )
