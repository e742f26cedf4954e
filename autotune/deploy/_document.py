"""The deployable result: the ``best_config.json`` document for the configuration the judge
ships (or another operating point of the same study).

``properties`` in best_config.json is exactly what ``benchmark_app -load_config`` reads, and
:func:`autotune.compile_model` applies the same properties, so a deployment never re-types
them.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import optuna

from autotune.core import (
    DYNAMIC,
    MULTI_STREAM,
    SINGLE_STREAM,
    BatchAxes,
    NoFeasibleConfigError,
    ShapeMix,
    StudyError,
    bucket_shapes,
    policy_buckets,
    policy_shapes,
    write_atomic,
)
from autotune.judge import Contender, Decision, Limits, RateClaim
from autotune.study import (
    ANALYSIS_ATTR,
    LOAD_CURVES_ATTR,
    VARIANTS_ATTR,
    ConfigResult,
    load_meta,
    study_decision_of,
)

CONFIG_SCHEMA = 1


def _round(value: float | None, digits: int = 4) -> float | None:
    return round(value, digits) if value is not None and math.isfinite(value) else None


def _figures(contender: Contender, config: ConfigResult) -> dict[str, Any]:
    """A config's figures as the judge used them. ``figure`` is the one it was judged on (its
    name, unit, direction — ``minimize`` for a latency — and the median with its interval).
    ``throughput_fps`` is the stated rate where the server scenario proved one (``claim`` says
    on what), else the confirmed median when the confirmation measured it (``source`` says
    which); where the figure is a latency, ``throughput_fps`` is the loop's frames/s at the
    search. The rounds' median and the search figure stay visible as ``rounds_median_fps`` and
    ``search_throughput_fps``."""
    claim = contender.claim
    fig, value = contender.figure, contender.throughput
    lower = fig.lower_is_better
    return {
        "figure": {
            "name": fig.name,
            "unit": fig.unit,
            "direction": fig.direction,
            "estimate": _round(value.estimate, 4),
            "interval": [_round(value.low, 4), _round(value.high, 4)],
            "confidence": _round(value.confidence, 4),
        },
        # the stated rate in the server scenario (proven, see "claim"), else the figure
        "throughput_fps": _round(config.throughput_fps if lower else contender.stated_rate, 3),
        "throughput_interval": [None, None]
        if lower
        else [_round(value.low, 3), _round(value.high, 3)],
        "confidence": None if lower else _round(value.confidence, 4),
        "source": ("proof" if claim.proven else f"proof {claim.status}")
        if claim is not None
        else ("confirmation" if contender.confirmed else "search"),
        "rounds_median_fps": None if lower else _round(value.estimate, 3),
        "search_throughput_fps": _round(
            config.throughput_fps if lower else contender.search_throughput_fps, 3
        ),
        "latency_ms": {
            k: round(v, 4) for k, v in sorted(contender.latency_ms.items()) if math.isfinite(v)
        },
        "constrained_latency_ms": _round(contender.constrained_latency_ms),
        "first_inference_ms": _round(config.first_inference_ms, 3),
        "compile_ms": _round(config.compile_ms, 3),
        "to_first_result_ms": _round(contender.to_first_result_ms, 3),
        "memory_bytes": config.memory_bytes,
        "drift": contender.accuracy.rel_l2 if contender.accuracy else None,
        "top1_agreement": contender.accuracy.top1 if contender.accuracy else None,
        "precision": contender.precision,
        "windows": len(config.windows),
        "rounds": len(contender.rounds),
        "trials": list(config.trials),
        "claim": _claim(claim) if claim is not None else None,
    }


def _claim(claim: RateClaim) -> dict[str, Any]:
    """What a stated rate rests on: the rate, the arrivals measured at it, the count over the
    limit, the confidence, and the looks of its proof."""
    return {k: _round(v, 6) if isinstance(v, float) else v for k, v in claim.to_dict().items()}


def no_feasible_error(decision: Decision) -> NoFeasibleConfigError:
    """Exit 3: what each hint meets and misses, and the smallest relaxation that helps."""
    return NoFeasibleConfigError(decision.problem, decision.fix)


@dataclass(frozen=True)
class Chosen:
    """The operating point to export and the decision around it."""

    config: ConfigResult
    contender: Contender
    decision: Decision
    limits: Limits
    configs: list[ConfigResult]
    explicit: bool  # picked by --trial, not by the judge


def choose(
    study: optuna.Study, *, trial: int | None = None, max_latency_ms: float | None = None
) -> Chosen:
    """The operating point to export: the judge's winner (under the study's limits, or
    re-judged under a tighter ``max_latency_ms``), or a given trial's configuration."""
    limits = None
    if max_latency_ms is not None:
        stored = Limits.from_dict(load_meta(study)["limits"])
        limits = replace(stored, max_latency_ms=max_latency_ms)
    limits, trials, configs, _, decision = study_decision_of(study, limits)
    if trial is not None:
        match = next((c for c in configs if trial in c.trials), None)
        if match is None:
            states = {t.number: t.state for t in trials}
            state = states.get(trial)
            raise StudyError(
                f"trial #{trial} has no measurement (state: {state or 'no such trial'})",
                "pick a COMPLETE trial number from autotune report",
            )
        picked = decision.contender(match.key)
        assert picked is not None
        return Chosen(match, picked, decision, limits, configs, explicit=True)
    winner = decision.winner
    if winner is None:
        raise no_feasible_error(decision)
    config = next(c for c in configs if c.key == winner.key)
    return Chosen(config, winner, decision, limits, configs, explicit=False)


def _scenario(
    study: optuna.Study, limits: Limits, key: str, figure: float, claim: RateClaim | None
) -> dict[str, Any]:
    """How the figure was measured: a closed loop, Poisson arrivals (the server scenario, where
    the figure is the sustainable rate and the closed-loop ceiling is kept beside it), the sync
    loop (single-stream: the figure is a latency, lower is better) or periodic sources
    (multi-stream); with the figure's name and direction."""
    fig = limits.figure
    out: dict[str, Any] = {
        "name": limits.scenario,
        "percentile": limits.percentile,
        "figure": fig.name,
        "unit": fig.unit,
        "direction": fig.direction,
    }
    if limits.scenario == SINGLE_STREAM:
        out.update(api="sync", infer_requests=1, max_latency_ms=limits.max_latency_ms)
    if limits.scenario == MULTI_STREAM:
        out.update(
            fps=limits.fps,
            streams=limits.streams,
            max_latency_ms=limits.max_latency_ms,
            **({"sources_held": figure} if limits.streams is None else {"latency_ms": figure}),
        )
    if limits.server and limits.at_rate is not None:
        out.update(max_latency_ms=limits.max_latency_ms, rate=limits.at_rate, latency_ms=figure)
    if limits.sustainable:
        curves = (study.user_attrs.get(LOAD_CURVES_ATTR) or {}).get("curves", [])
        mine: dict[str, Any] = next((c for c in curves if c["key"] == key), {})
        out.update(
            max_latency_ms=limits.max_latency_ms,
            rate=limits.min_rate,
            sustainable_rate=figure,
            closed_loop_fps=mine.get("capacity_fps"),
            proven=claim.proven if claim is not None else False,
            arrivals=claim.arrivals if claim is not None else None,
            over=claim.over if claim is not None else None,
            confidence=claim.plan.confidence if claim is not None else None,
        )
    return out


def build_best_config(
    study: optuna.Study,
    storage_url: str,
    *,
    trial: int | None = None,
    max_latency_ms: float | None = None,
) -> dict[str, Any]:
    """The best_config.json document for a study (docs/deploy.md describes the format)."""
    chosen = choose(study, trial=trial, max_latency_ms=max_latency_ms)
    decision, limits = chosen.decision, chosen.limits
    meta = load_meta(study)
    cfg = chosen.config.config
    model = meta["model"]
    doc: dict[str, Any] = {
        "schema": CONFIG_SCHEMA,
        "model": model["path"],
        "device": cfg.target_device,
        "shape": deploy_shape(model, cfg.batch),
        **traffic_shapes(model, cfg.shape_policy, meta.get("pad")),
        "batch": cfg.batch,
        "batch_axes": batch_layout(model, cfg.batch),
        "infer_requests": chosen.config.effective.infer_requests,
        "properties": {cfg.target_device: cfg.properties()},
        "effective": chosen.config.effective.properties,
        "label": chosen.config.label,
        "preset": cfg.preset,
        "config": cfg.to_dict(),
        "model_shape": model.get("shape"),
        "metrics": _figures(chosen.contender, chosen.config),
        "constraint": limits.to_dict(),
        "scenario": _scenario(
            study,
            limits,
            chosen.config.key,
            chosen.contender.stated_rate,
            chosen.contender.claim,
        ),
        "feasible": chosen.contender.feasible,
        "verdict": decision.verdict
        if not chosen.explicit
        else (f"trial #{trial} exported on request; the judge's choice: {decision.verdict}"),
        "findings": list(decision.findings),
        "baselines": {
            name: _figures(c, next(r for r in chosen.configs if r.key == c.key))
            | {"feasible": c.feasible, "device": c.config.device}
            for c in decision.contenders
            if c.is_baseline  # validate re-measures the user's hints, not a variant's
            for name in c.presets
        },
        "environment": meta.get("environment", {}),
        "study": {
            "name": study.study_name,
            "storage": storage_url,
            "trial": chosen.config.first_trial,
        },
        "cache": {
            "recommendation": "set CACHE_DIR to a persistent folder: compile "
            f"{chosen.config.compile_ms:.0f} ms here, first inference "
            f"{chosen.config.first_inference_ms:.1f} ms",
        },
    }
    made_variants = study.user_attrs.get(VARIANTS_ATTR) or {}
    if made_variants:  # the variants' files, for the hints measured on them (validate)
        doc["variants"] = {name: info.get("path") for name, info in made_variants.items()}
    if cfg.variant:
        # The INT8 model ships: best_config.json points at its IR (in the study folder), and
        # keeps the user's model and how the variant was made beside it.
        made = made_variants.get(cfg.variant) or {}
        doc["model"] = made.get("path") or doc["model"]
        doc["variant"] = {
            "name": cfg.variant,
            "original_model": model["path"],
            **{
                k: made.get(k)
                for k in ("seconds", "samples", "calibration", "nncf_version", "model_type")
            },
        }
    analysis = study.user_attrs.get(ANALYSIS_ATTR) or {}
    if analysis.get("key") == chosen.config.key:
        doc.update(_analysis_fields(analysis))
    accuracy = chosen.contender.accuracy
    if accuracy is not None:
        doc["accuracy"] = {**accuracy.to_record(), "reference": "f32, LATENCY hint"}
    if decision.confirmed:
        doc["confirmation"] = {
            **decision.evidence(),
            "significant": decision.significant,
            "tied_with": list(decision.tied),
            "confidence": chosen.contender.throughput.confidence,
            "ratios": {k: v.to_dict() for k, v in decision.ratios.items()},
        }
    return doc


def _analysis_fields(analysis: dict[str, Any]) -> dict[str, Any]:
    """The winner analysis in the document: start-up times (and the cache advice they give),
    efficiency, and the profile's summary."""
    profile = analysis.get("profile") or {}
    fields: dict[str, Any] = {
        "load": analysis.get("load"),
        "efficiency": analysis.get("efficiency"),
        "profile": {
            k: profile.get(k)
            for k in ("total_ms", "executed", "not_run", "optimized_out", "reorders")
        },
    }
    load = analysis.get("load") or {}
    if "cold" in load and "cached" in load:
        fields["cache"] = {
            "recommendation": "set CACHE_DIR to a persistent folder: the first start compiles "
            f"in {load['cold']['compile_ms']:.0f} ms, later starts load in "
            f"{load['cached']['compile_ms']:.0f} ms",
            "cold_compile_ms": load["cold"]["compile_ms"],
            "cached_compile_ms": load["cached"]["compile_ms"],
            "first_inference_ms": load["cached"]["first_inference_ms"],
        }
    return fields


def deploy_shape(model: dict[str, Any], batch: int) -> dict[str, list[int]] | None:
    """What the model is reshaped to when deployed (and benchmark_app's ``-shape``): the
    inputs ``--shape`` set, and at another batch the batched inputs with their own batch axis
    at it. Every other input keeps the model's own shape (a state, a table, a static input).
    Over a mix of shapes: every input the mix names, its varying axes -1 (dynamic; the policy
    in ``shapes`` bounds them or picks buckets)."""
    mix = ShapeMix.from_dict(model.get("mix"))
    if mix is not None:
        return {
            n: [d if isinstance(d, int) else -1 for d in dims]
            for n, dims in policy_shapes(mix, DYNAMIC)[0].items()
        }
    shapes = {str(k): list(v) for k, v in dict(model.get("shape") or {}).items()}
    if "batch_axes" not in model:
        if batch != int(model.get("batch", 1)):
            raise StudyError(
                "this study was made by an autotune that took dimension 0 of every input as "
                "the batch, unchecked",
                "run the search again with --force (batch axes are now found and verified)",
            )
        return shapes or None
    axes = BatchAxes.from_dict(model["batch_axes"])
    if batch != axes.batch:
        base = {str(i["name"]): list(i["shape"]) for i in model["inputs"] if i.get("shape")}
        batched = axes.shape_at(base, batch)
        shapes.update({name: batched[name] for name in axes.inputs})
    return shapes or None


def traffic_shapes(
    model: dict[str, Any], policy: str | None, pad: dict[str, float] | None
) -> dict[str, Any]:
    """The ``shapes`` block of a config measured over a mix: the policy, the mix it was
    measured on (and its histogram per varying axis), each input's bounds, the buckets and pad
    values of a bucket policy. Nothing for a static shape."""
    mix = ShapeMix.from_dict(model.get("mix"))
    if mix is None:
        return {}
    low, high = mix.bounds_by_input()
    block: dict[str, Any] = {
        "policy": policy or DYNAMIC,
        "mix": mix.to_dict(),
        "describe": mix.describe(),
        "histogram": mix.histogram(),
        "bounds": {n: [[a, b] for a, b in zip(low[n], high[n], strict=True)] for n in low},
    }
    count = policy_buckets(policy)
    if count:
        block["buckets"] = bucket_shapes(mix, count)
        block["pad"] = dict(pad or {})
    return {"shapes": block}


def batch_layout(model: dict[str, Any], batch: int) -> dict[str, Any]:
    """How a deployment lays out a batch: the study's :class:`~autotune.core.BatchAxes` (each
    batched input's and each output's axis; inputs absent take no batch and are shared by the
    whole batch; ``batch`` there is the batch of the measured shape), benchmark_app's
    ``-layout`` for every input, and one line on whether batches were proven."""
    axes = BatchAxes.from_dict(model.get("batch_axes"))
    ranks = {str(i["name"]): len(i["shape"]) for i in model["inputs"] if i.get("shape")}
    return {
        **axes.to_dict(),
        "layouts": axes.layouts(ranks),
        "note": axes.summary()
        if batch == axes.batch
        else f"shipped at batch {batch}; " + axes.summary(),
    }


def write_best_config(doc: dict[str, Any], path: str | Path) -> Path:
    return write_atomic(path, json.dumps(doc, indent=2) + "\n")


def with_model_beside(doc: dict[str, Any], folder: str | Path) -> dict[str, Any]:
    """A shipped variant (the INT8 IR) copied into ``folder``, next to the exported
    best_config.json, which then points at the copy: the folder deploys on its own."""
    if not doc.get("variant"):
        return doc
    source = Path(doc["model"])
    target = Path(folder).resolve() / source.name
    if source.resolve() != target:
        target.parent.mkdir(parents=True, exist_ok=True)
        for suffix in (".bin", ".xml"):  # the .xml last: a present .xml has its weights
            write_atomic(target.with_suffix(suffix), source.with_suffix(suffix).read_bytes())
    return {**doc, "model": str(target)}
