"""The deployable result: ``best_config.json``, the export formats, and loading it back.

``properties`` in best_config.json is exactly what ``benchmark_app -load_config`` reads, and
:func:`compile_model` applies the same properties, so a deployment never re-types them.
"""

from __future__ import annotations

import json
import math
import shlex
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import optuna

from autotune.analysis import ANALYSIS_ATTR
from autotune.config import BATCH_DEVICE, RuntimeConfig
from autotune.errors import ConfigFileError, NoFeasibleConfigError, StudyError
from autotune.files import write_atomic
from autotune.judge import Contender, Decision, Limits
from autotune.results import ConfigResult
from autotune.store import load_meta, study_decision_of
from autotune.units import format_shape

FORMATS = ("json", "benchmark_app", "python", "ovms")
BENCHMARK_APP_FILE = "benchmark_app_config.json"
CONFIG_SCHEMA = 1


def _round(value: float | None, digits: int = 4) -> float | None:
    return round(value, digits) if value is not None and math.isfinite(value) else None


def _figures(contender: Contender, config: ConfigResult) -> dict[str, Any]:
    """A config's figures as the judge used them: ``throughput_fps`` is the confirmed median
    when the confirmation measured it (``source`` says which), the search figure stays
    visible as ``search_throughput_fps``."""
    return {
        "throughput_fps": _round(contender.throughput.estimate, 3),
        "throughput_interval": [
            _round(contender.throughput.low, 3),
            _round(contender.throughput.high, 3),
        ],
        "confidence": _round(contender.throughput.confidence, 4),
        "source": "confirmation" if contender.confirmed else "search",
        "search_throughput_fps": _round(contender.search_throughput_fps, 3),
        "latency_ms": {
            k: round(v, 4) for k, v in sorted(contender.latency_ms.items()) if math.isfinite(v)
        },
        "constrained_latency_ms": _round(contender.constrained_latency_ms),
        "first_inference_ms": _round(config.first_inference_ms, 3),
        "compile_ms": _round(config.compile_ms, 3),
        "memory_bytes": config.memory_bytes,
        "drift": contender.accuracy.rel_l2 if contender.accuracy else None,
        "top1_agreement": contender.accuracy.top1 if contender.accuracy else None,
        "precision": contender.precision,
        "windows": len(config.windows),
        "rounds": len(contender.rounds),
        "trials": list(config.trials),
    }


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


def build_best_config(
    study: optuna.Study,
    storage_url: str,
    *,
    trial: int | None = None,
    max_latency_ms: float | None = None,
) -> dict[str, Any]:
    """The best_config.json document for a study (see README for the format)."""
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
        "batch": cfg.batch,
        "infer_requests": chosen.config.effective.infer_requests,
        "properties": {cfg.target_device: cfg.properties()},
        "effective": chosen.config.effective.properties,
        "label": chosen.config.label,
        "preset": cfg.preset,
        "config": cfg.to_dict(),
        "model_shape": model.get("shape"),
        "metrics": _figures(chosen.contender, chosen.config),
        "constraint": limits.to_dict(),
        "feasible": chosen.contender.feasible,
        "verdict": decision.verdict
        if not chosen.explicit
        else (f"trial #{trial} exported on request; the judge's choice: {decision.verdict}"),
        "findings": list(decision.findings),
        "baselines": {
            name: _figures(c, next(r for r in chosen.configs if r.key == c.key))
            | {"feasible": c.feasible}
            for c in decision.contenders
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
    analysis = study.user_attrs.get(ANALYSIS_ATTR) or {}
    if analysis.get("key") == chosen.config.key:
        doc["load"] = analysis.get("load")
        doc["efficiency"] = analysis.get("efficiency")
        profile = analysis.get("profile") or {}
        doc["profile"] = {
            k: profile.get(k)
            for k in ("total_ms", "executed", "not_run", "optimized_out", "reorders")
        }
        load = analysis.get("load") or {}
        if "cold" in load and "cached" in load:
            doc["cache"] = {
                "recommendation": "set CACHE_DIR to a persistent folder: the first start compiles "
                f"in {load['cold']['compile_ms']:.0f} ms, later starts load in {load['cached']['compile_ms']:.0f} ms",
                "cold_compile_ms": load["cold"]["compile_ms"],
                "cached_compile_ms": load["cached"]["compile_ms"],
                "first_inference_ms": load["cached"]["first_inference_ms"],
            }
    accuracy = chosen.contender.accuracy
    if accuracy is not None:
        doc["accuracy"] = {**accuracy.to_record(), "reference": "f32, LATENCY hint"}
    if decision.confirmed:
        doc["confirmation"] = {
            "rounds": max(len(c.rounds) for c in decision.contenders),
            "significant": decision.significant,
            "tied_with": list(decision.tied),
            "confidence": chosen.contender.throughput.confidence,
            "ratios": {k: v.to_dict() for k, v in decision.ratios.items()},
        }
    return doc


def deploy_shape(model: dict[str, Any], batch: int) -> dict[str, list[int]] | None:
    """Every input's static shape with dimension 0 at the config's batch: what the model is
    reshaped to when deployed (and benchmark_app's -shape), also for a model that was static
    to begin with (no --shape)."""
    inputs = model.get("inputs") or []
    shapes = {
        str(i["name"]): list(i["shape"]) for i in inputs if i.get("shape") is not None
    } or dict(model.get("shape") or {})
    if not shapes:
        return None
    return {name: [batch, *dims[1:]] if dims else dims for name, dims in shapes.items()}


def benchmark_app_command(
    doc: dict[str, Any], config_path: str, seconds: int = 10
) -> tuple[list[str] | None, str]:
    """The benchmark_app command reproducing ``doc``, or None with the reason it cannot."""
    device = doc["device"]
    if device.startswith(BATCH_DEVICE):
        return None, (
            "benchmark_app (Python) cannot run the BATCH device (it crashes on -d BATCH:CPU(N)); "
            "use autotune.compile_model or the python export"
        )
    props = doc["properties"][device]
    requests = int(doc["infer_requests"])
    command = ["benchmark_app", "-m", doc["model"], "-d", device]
    shape = doc.get("shape") or {}
    if shape:
        # The shape at the shipped batch; "N..." tells benchmark_app which axis is the batch, so
        # it counts frames (not requests) in its FPS for any input rank, and feeds the inputs
        # in their own type (as autotune did) rather than as u8 images.
        command += ["-shape", format_shape(shape)]
        layouts = [f"{name}[N...]" for name, dims in shape.items() if dims]
        if layouts:
            command += ["-layout", ",".join(layouts)]
    # The hint as the config has it (-nstreams/-nthreads-style knobs come from -load_config and
    # need "-hint none"); one request runs the sync API, as autotune measured it.
    command += ["-hint", str(props.get("PERFORMANCE_HINT", "none")).lower()]
    command += ["-api", "sync" if requests == 1 else "async", "-nireq", str(requests)]
    command += ["-load_config", config_path, "-t", str(seconds)]
    return command, ""


def render(
    doc: dict[str, Any], fmt: str, config_path: str = "best_config.json"
) -> tuple[str, str]:
    """(file content, message for the terminal) for one export format."""
    if fmt == "json":
        return json.dumps(doc, indent=2) + "\n", ""
    if fmt == "benchmark_app":
        command, reason = benchmark_app_command(doc, config_path)
        content = json.dumps(doc["properties"], indent=2) + "\n"
        message = shlex.join(command) if command else f"note: {reason}"
        return content, message
    if fmt == "python":
        return python_snippet(doc), ""
    if fmt == "ovms":
        return json.dumps(ovms_entry(doc), indent=2) + "\n", ""
    raise ConfigFileError(f"unknown export format {fmt!r}", f"use one of: {', '.join(FORMATS)}")


def python_snippet(doc: dict[str, Any]) -> str:
    props = doc["properties"][doc["device"]]
    shape = doc.get("shape")
    reshape = f"model.reshape({shape!r})\n" if shape else ""
    converted = {k: (v == "YES") if v in ("YES", "NO") else v for k, v in props.items()}
    return f'''"""Deploy the configuration autotune found ({doc.get("label", "")})."""

# 1) With autotune installed: the properties come from best_config.json.
import autotune

compiled, n_requests = autotune.compile_model("best_config.json")

# 2) Plain OpenVINO, the same configuration spelled out.
import openvino as ov

core = ov.Core()
core.set_property({{"CACHE_DIR": "ov_cache"}})  # cheap restarts: compile once, load from cache
model = core.read_model({doc["model"]!r})
{reshape}compiled = core.compile_model(model, {doc["device"]!r}, {converted!r})
queue = ov.AsyncInferQueue(compiled, {doc["infer_requests"]})
# queue.start_async({{...inputs...}}); queue.wait_all()
'''


def ovms_entry(doc: dict[str, Any]) -> dict[str, Any]:
    """An OpenVINO Model Server config.json with this model and its plugin_config."""
    device = doc["device"]
    model_path = Path(doc["model"])
    config: dict[str, Any] = {
        "name": model_path.stem,
        "base_path": str(model_path.parent),
        "target_device": device,
        "nireq": doc["infer_requests"],
        "plugin_config": dict(doc["properties"][device]),
    }
    if doc.get("batch", 1) != 1:
        config["batch_size"] = str(doc["batch"])
    if doc.get("shape"):
        config["shape"] = {k: f"({','.join(str(d) for d in v)})" for k, v in doc["shape"].items()}
    return {"model_config_list": [{"config": config}]}


def write_best_config(doc: dict[str, Any], path: str | Path) -> Path:
    return write_atomic(path, json.dumps(doc, indent=2) + "\n")


@dataclass(frozen=True)
class DeployConfig:
    """A loaded best_config.json."""

    model: str
    device: str
    shape: dict[str, list[int]] | None
    batch: int
    infer_requests: int
    properties: dict[str, str]
    document: dict[str, Any]

    @property
    def runtime_config(self) -> RuntimeConfig:
        """The config as autotune measured it (``config`` in the file), or, for a file written
        by hand, its device, batch, requests and properties taken verbatim."""
        stored = self.document.get("config")
        if isinstance(stored, dict):
            return replace(RuntimeConfig.from_dict(stored), infer_requests=self.infer_requests)
        return RuntimeConfig(
            device=self.device,
            batch=self.batch,
            infer_requests=self.infer_requests,
            raw_properties=dict(self.properties),
        )

    @property
    def base_shape(self) -> dict[str, list[int]] | None:
        """The model's shape at batch 1 (the batch is applied by the config)."""
        shape = self.document.get("model_shape")
        if shape is not None or self.shape is None:
            return shape
        return {k: [1, *v[1:]] if v else v for k, v in self.shape.items()}


def load_config(path: str | Path) -> DeployConfig:
    """Read and check a best_config.json; every problem is one ConfigFileError line."""
    p = Path(path)
    fix = "re-create it with: autotune export --format json -o best_config.json"
    if not p.exists():
        raise ConfigFileError(f"config file '{path}' does not exist", "check the path")
    try:
        doc = json.loads(p.read_text())
    except UnicodeDecodeError:
        raise ConfigFileError(f"config file '{path}' is not text", fix) from None
    except json.JSONDecodeError as exc:
        raise ConfigFileError(
            f"config file '{path}' is not valid JSON (line {exc.lineno}: {exc.msg})", fix
        ) from None
    if not isinstance(doc, dict):
        raise ConfigFileError(f"config file '{path}' is not a JSON object", fix)
    missing = [k for k in ("model", "device", "properties", "infer_requests") if k not in doc]
    if missing:
        raise ConfigFileError(f"config file '{path}' lacks {', '.join(missing)}", fix)
    device = doc["device"]
    props = doc["properties"]
    if not isinstance(props, dict) or not isinstance(props.get(device), dict):
        raise ConfigFileError(
            f"config file '{path}': properties has no object for device {device!r}", fix
        )
    try:
        requests = int(doc["infer_requests"])
        batch = int(doc.get("batch", 1))
    except (TypeError, ValueError):
        raise ConfigFileError(
            f"config file '{path}': infer_requests/batch must be integers", fix
        ) from None
    if requests < 1 or batch < 1:
        raise ConfigFileError(f"config file '{path}': infer_requests and batch must be ≥ 1", fix)
    shape = doc.get("shape")
    if shape is not None and not (
        isinstance(shape, dict)
        and all(isinstance(v, list) and all(isinstance(d, int) for d in v) for v in shape.values())
    ):
        raise ConfigFileError(
            f"config file '{path}': shape must map input names to integer lists", fix
        )
    return DeployConfig(
        model=str(doc["model"]),
        device=str(device),
        shape=shape,
        batch=batch,
        infer_requests=requests,
        properties={str(k): str(v) for k, v in props[device].items()},
        document=doc,
    )


def compile_model(
    path: str | Path, *, model_path: str | None = None, cache_dir: str | None = None
) -> tuple[Any, int]:
    """Compile the model of a best_config.json with its properties.

    Returns ``(openvino.CompiledModel, infer_requests)``; pass ``model_path`` when the model
    moved since the study ran.
    """
    from autotune import runtime

    config = load_config(path)
    model = runtime.prepare_model(model_path or config.model, config.shape)
    properties = runtime.to_runtime_properties(config.properties)
    if cache_dir:
        properties["CACHE_DIR"] = cache_dir
    try:
        compiled = runtime.shared_core().compile_model(model, config.device, properties)
    except Exception as exc:
        from autotune.errors import DeviceError
        from autotune.runtime import openvino_message

        raise DeviceError(
            f"{config.device} refused the properties in '{path}': {openvino_message(exc)}",
            "re-export the config on this machine (autotune export)",
        ) from None
    return compiled, config.infer_requests
