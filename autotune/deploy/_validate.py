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
    OFFLINE,
    PRESET_HINTS,
    SERVER,
    ValidationFailedError,
    preset_named,
    rate_unit,
)
from autotune.deploy._config_file import load_config
from autotune.judge import (
    ProofPlan,
    RateClaim,
    ValidationResult,
    judge_validation,
    prove_rate,
    run_proofs,
)
from autotune.measure import (
    IsolatedRunner,
    LoadPoint,
    Runner,
    TrialFailure,
    Window,
    confirmation_window_s,
    default_trial_timeout,
    machine_lock,
)

VALIDATE_ROUNDS = 10
# server scenario: the measured time the proof of the stated rate may take
VALIDATE_PROOF_S = 120.0


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
    confirm_time_s: float = VALIDATE_PROOF_S,
    on_start: Callable[[str], None] | None = None,
) -> ValidationResult:
    """Measure the config and the LATENCY/THROUGHPUT presets interleaved; judge the gain on
    paired per-round ratios and the limit on the upper quartile of per-round percentiles (on
    the requests over it where the rounds' windows are too short for their percentile). In the
    server scenario, the config's stated rate is then proven again: Poisson arrivals at that
    rate, enough of them for the rule, within ``confirm_time_s``."""
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
    hints = [replace(preset_named(name, device), batch=config.batch_axes.batch) for name in names]
    candidates = [tuned, *hints]
    window = window_s or confirmation_window_s(2.0)
    variant = doc.get("variant") or {}
    payload: dict[str, Any] = {
        # an INT8 winner is measured on its IR, the hints on the user's model (as judged)
        "model_path": variant.get("original_model") or config.model,
        "variants": doc.get("variants"),
        "shape": config.base_shape,
        "batch_axes": config.batch_axes.to_dict(),
        "configs": [c.to_dict() for c in candidates],
        "rounds": rounds,
        "window_s": window,
        "percent": percent,
        "latency_limit_ms": limit,  # the rounds' windows count the requests over it
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
        payload.update(scenario=SERVER, start_rates=[r if r > 0 else 1.0 for r in recorded_rates])
    timeout = (
        default_trial_timeout(window) + (8 if server else 3) * len(candidates) * rounds * window
    )
    if on_start is not None:  # only once the file is known good: errors come first, alone
        on_start(f"{len(candidates)} configs × {rounds} interleaved rounds of {window:g} s")
    claim = None
    with IsolatedRunner() as runner, machine_lock():
        try:
            result = runner.call("measure_interleaved", payload, timeout_s=timeout)
            if server and recorded_rates[0] > 0 and confirm_time_s > 0:
                assert limit is not None
                plan = ProofPlan(percent, limit, budget_s=confirm_time_s, step_down=False)
                claim = _prove(runner, payload, recorded_rates[0], plan)
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
        claim=claim,
    )


def _prove(runner: Runner, payload: dict[str, Any], rate: float, plan: ProofPlan) -> RateClaim:
    """The config's stated rate, proven again (the first config of ``payload``)."""

    def measure_round(
        windows: list[tuple[float, float] | None], rotation: int
    ) -> list[LoadPoint | None]:
        job = {
            key: payload[key]
            for key in ("model_path", "variants", "shape", "batch_axes", "percent")
        }
        job.update(
            configs=payload["configs"][:1],
            windows=[list(w) if w is not None else None for w in windows],
            latency_limit_ms=plan.limit_ms,
            rotation=rotation,
        )
        seconds = sum(w[1] for w in windows if w is not None)
        done = runner.call(
            "measure_rates", job, timeout_s=default_trial_timeout(2.0) + 3 * seconds
        )
        return [LoadPoint.from_dict(p) if p is not None else None for p in done["points"]]

    [(points, capped)] = run_proofs([rate], plan, measure_round)
    return prove_rate(points, rate, plan, capped=capped)
