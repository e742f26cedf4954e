"""Re-measure an exported config against the hint presets on this machine, now — a regression
check for CI after a driver, OpenVINO or hardware change. The limits are the ones the study
recorded, and the verdict is the judge's (:func:`autotune.judge.judge_validation`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from autotune.core import (
    DYNAMIC,
    PRESET_HINTS,
    SINGLE_STREAM,
    BadInputError,
    ValidationFailedError,
    hints_device,
    preset_named,
)
from autotune.deploy._config_file import load_config
from autotune.judge import (
    Accuracy,
    Limits,
    ProofPlan,
    RateClaim,
    Recorded,
    ValidationResult,
    judge_validation,
    prove_rate,
    run_proofs,
)
from autotune.measure import (
    InterleavedJob,
    IsolatedRunner,
    RateJob,
    Runner,
    TrialFailure,
    confirmation_window_s,
    machine_lock,
)

VALIDATE_ROUNDS = 10
# server scenario: the measured time the proof of the stated rate may take
VALIDATE_PROOF_S = 120.0


def _recorded(figures: dict[str, Any], accuracy: dict[str, Any] | None) -> Recorded:
    """What the study recorded of a config and validate does not measure again."""
    to_first = figures.get("to_first_result_ms")
    if to_first is None and figures.get("compile_ms") is not None:  # an older document
        to_first = figures["compile_ms"] + (figures.get("first_inference_ms") or 0.0)
    if accuracy is None and (figures.get("drift") is not None or figures.get("top1_agreement")):
        accuracy = {"rel_l2": figures.get("drift"), "top1": figures.get("top1_agreement")}
    return Recorded(
        memory_bytes=figures.get("memory_bytes"),
        to_first_result_ms=to_first,
        accuracy=Accuracy.from_record(accuracy),
    )


def validate(
    path: str | Path,
    *,
    rounds: int = VALIDATE_ROUNDS,
    window_s: float | None = None,
    max_latency_ms: float | None = None,
    confirm_time_s: float = VALIDATE_PROOF_S,
    on_start: Callable[[str], None] | None = None,
) -> ValidationResult:
    """Measure the config and the hint presets the study judged it against, interleaved, and
    ask the judge under the study's limits (``max_latency_ms`` replaces its latency limit). In
    the server scenario the config's stated rate is then proven again: Poisson arrivals at that
    rate, enough of them for the binomial rule, within ``confirm_time_s`` of measurement (0:
    judge the rounds only)."""
    if rounds < 2:
        raise BadInputError(f"--rounds must be at least 2, got {rounds}", "e.g. --rounds 10")
    if window_s is not None and not window_s > 0:
        raise BadInputError("--window must be positive", "e.g. --window 0.5s")
    if not confirm_time_s >= 0:
        raise BadInputError(
            "--confirm-time must be 0 (off) or positive", "e.g. --confirm-time 120s"
        )
    config = load_config(path)
    doc = config.document
    limits = Limits.from_dict(doc.get("constraint") or {})
    if max_latency_ms is not None:
        limits = replace(limits, max_latency_ms=max_latency_ms)
    if limits.sustainable and limits.max_latency_ms is None:
        raise ValidationFailedError(
            "the config was tuned for the server scenario but has no latency limit",
            "re-export it with autotune export",
        )
    # The hints the study judged against: those that met its limits (the f32 hints where the
    # default precision failed the accuracy guard), on the device they ran on, at the batch the
    # study measured them (1, unless --shape fixed another).
    baselines = doc.get("baselines") or {}
    names = [n for n, b in baselines.items() if b.get("feasible")] or list(PRESET_HINTS)
    hints = [
        replace(
            preset_named(
                name, baselines.get(name, {}).get("device") or hints_device([config.device])
            ),
            batch=config.batch_axes.batch,
            # single-stream: the hints as the study ran them, one request in flight (sync)
            infer_requests=1 if limits.scenario == SINGLE_STREAM else 0,
            # over a mix of shapes: the dynamic model, as users run the hints today
            shape_policy=DYNAMIC if config.mix is not None else None,
        )
        for name in names
    ]
    metrics = doc.get("metrics") or {}
    variant = doc.get("variant") or {}
    job = InterleavedJob(
        # an INT8 winner is measured on its IR, the hints on the user's model (as judged)
        model_path=variant.get("original_model") or config.model,
        shape=config.base_shape,
        batch_axes=config.batch_axes.to_dict(),
        mix=config.mix.to_dict() if config.mix is not None else None,
        pad=config.pad,
        variants=doc.get("variants"),
        configs=(config.runtime_config, *hints),
        rounds=rounds,
        window_s=window_s or confirmation_window_s(2.0),
        percent=limits.percentile,
        scenario=limits.scenario,
        start_rates=tuple(
            r if r > 0 else 1.0
            for r in (
                float(metrics.get("throughput_fps") or 0.0),
                *(float(baselines.get(n, {}).get("throughput_fps") or 0.0) for n in names),
            )
        ),
        latency_limit_ms=limits.max_latency_ms,
        fps=limits.fps,
        streams=limits.streams,
        at_rate=limits.at_rate,
    )
    if on_start is not None:  # only once the file is known good: errors come first, alone
        on_start(f"{len(job.configs)} configs × {rounds} interleaved rounds of {job.window_s:g} s")
    claim = None
    with IsolatedRunner() as runner, machine_lock():
        try:
            measured = job.run(runner)
            stated = float(metrics.get("throughput_fps") or 0.0)
            if limits.sustainable and stated > 0 and confirm_time_s > 0:
                assert limits.max_latency_ms is not None
                plan = ProofPlan(
                    limits.percentile,
                    limits.max_latency_ms,
                    budget_s=confirm_time_s,
                    step_down=False,
                )
                claim = _prove(runner, job, stated, plan)
        except TrialFailure as exc:
            raise ValidationFailedError(
                f"the config no longer runs here: {exc.reason}",
                "re-run autotune search on this machine",
            ) from None
    # the recorded figure in the study's own terms (a latency in single-stream)
    recorded = (metrics.get("figure") or {}).get("estimate", metrics.get("throughput_fps"))
    return judge_validation(
        str(doc.get("label", doc.get("device", ""))),
        # a hint of the user's model is the bar itself: it is not judged against the hints
        doc.get("preset") if not variant else None,
        measured[0],
        dict(zip(names, measured[1:], strict=True)),
        limits,
        recorded_fps=float(recorded) if recorded else None,
        recorded=_recorded(metrics, doc.get("accuracy")),
        recorded_hints={n: _recorded(baselines.get(n, {}), None) for n in names},
        claim=claim,
    )


def _prove(runner: Runner, job: InterleavedJob, rate: float, plan: ProofPlan) -> RateClaim:
    """The config's stated rate (the first config of ``job``), proven again: no step down, the
    one rate holds or not."""
    proving = RateJob(
        model_path=job.model_path,
        shape=job.shape,
        batch_axes=job.batch_axes,
        variants=job.variants,
        configs=job.configs[:1],
        percent=plan.percent,
        latency_limit_ms=plan.limit_ms,
        mix=job.mix,
        pad=job.pad,
    )
    [(points, capped)] = run_proofs([rate], plan, lambda w, r: proving.run(runner, w, r))
    return prove_rate(points, rate, plan, capped=capped)
