"""Everything ``autotune search`` takes, checked before anything is read from or written to
the storage: numbers, the model and its shapes, devices, limits, the output folder."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autotune.core import (
    DEFAULT_PERCENTILES,
    INT8,
    OFFLINE,
    SERVER,
    BadInputError,
    ModelInfo,
    is_virtual,
    parse_layouts,
)
from autotune.judge import (
    DEFAULT_CONFIRM_TIME_S,
    DEFAULT_MAX_DRIFT,
    DEFAULT_MIN_TOP1,
    DEFAULT_TIE_MARGIN,
    Limits,
    RoundPlan,
)
from autotune.measure import (
    MAX_SAMPLES,
    check_accuracy_fn,
    collect_environment,
    fingerprint,
    load_samples,
)
from autotune.study import absolute_storage, default_out_dir, default_storage
from autotune.tuning._checks import validate_settings
from autotune.tuning._naming import default_study_name
from autotune.tuning._quantize import quantization_key
from autotune.tuning._shapes import parse_pad, planned_shapes, shape_policies
from autotune.tuning._space import SearchSpace, build_space, powers_of_two, resolve_devices

# The confirmation stage: the top 3 feasible tuned configs against every hint, over enough
# rounds that a 95 % interval on a median is a real one (10 rounds: [x(2), x(9)], 97.9 %).
DEFAULT_TOP_K = 3
DEFAULT_ROUNDS = 10
# When a look at the rounds cannot decide, 5 more at a time, up to twice the planned rounds
# (20 for the default 10): the confirmation stage at most doubles.
DEFAULT_MAX_ROUNDS = 2 * DEFAULT_ROUNDS


@dataclass(frozen=True)
class SearchSettings:
    """Everything ``autotune search`` takes, as typed values (the CLI parses the units)."""

    model_path: str
    shape: str | None = None
    layout: str | None = None  # --layout: the batch axes, benchmark_app's syntax
    pad: str | None = None  # --pad input=value: what bucket policies pad requests with
    max_latency_s: float | None = None
    percentile: float = math.nan  # NaN: the scenario's default (p90 offline, p99 server)
    device: str | None = None
    trials: int = 30
    time_budget_s: float | None = None
    trial_time_s: float = 2.0
    max_batch: int = 8
    study_name: str | None = None
    storage: str = field(default_factory=default_storage)
    out_dir: str | None = None
    seed: int | None = None
    trial_timeout_s: float | None = None
    confirm_top: int = DEFAULT_TOP_K
    confirm_rounds: int = DEFAULT_ROUNDS
    max_rounds: int | None = None  # None: twice confirm_rounds (DEFAULT_MAX_ROUNDS)
    tie_margin: float = DEFAULT_TIE_MARGIN  # configs within ±5 % (proven) are tied
    # server: the measured time the proofs of the stated rates may take, all together
    confirm_time_s: float = DEFAULT_CONFIRM_TIME_S
    force: bool = False
    allow_mixed_hardware: bool = False
    objective: str = "throughput"
    max_memory_bytes: int | None = None
    max_drift: float | None = DEFAULT_MAX_DRIFT
    min_top1: float | None = DEFAULT_MIN_TOP1
    max_first_inference_s: float | None = None
    inputs_dir: str | None = None
    max_samples: int = MAX_SAMPLES  # the accuracy guard uses every --inputs sample up to this
    analyse: bool = True  # load times, profile and efficiency of the winner at the end
    scenario: str = OFFLINE  # server: Poisson arrivals, the figure is the sustainable rate
    rate: float | None = None  # server: requests/s a config must hold (--objective latency: at)
    fps: float | None = None  # multi-stream: frames/s of each source
    streams: int | None = None  # multi-stream: sources to hold (None: find the most)
    quantize: bool = False  # also search an INT8 variant (NNCF post-training quantization)
    calibration: str = "inputs"  # "inputs" (--inputs samples) or "random" (accuracy unknown)
    accuracy_fn: str | None = None  # "module:function": a metric of the outputs, higher is better
    max_drop: float | None = None  # largest drop of that metric against f32

    def __post_init__(self) -> None:
        if math.isnan(self.percentile):
            default = DEFAULT_PERCENTILES.get(self.scenario, DEFAULT_PERCENTILES[OFFLINE])
            object.__setattr__(self, "percentile", default)
        # A relative sqlite/journal path is resolved once, here: the study records where it
        # lives, and best_config.json must still find it from another folder.
        object.__setattr__(self, "storage", absolute_storage(self.storage))

    @property
    def calibration_dir(self) -> str | None:
        """The samples the INT8 model is calibrated on (None: seeded random data)."""
        return self.inputs_dir if self.calibration == "inputs" else None

    @property
    def round_plan(self) -> RoundPlan:
        """How the confirmation rounds are measured and judged: --confirm-rounds first, more
        while inconclusive up to --max-rounds, ties within --tie-margin."""
        budget = self.max_rounds if self.max_rounds is not None else 2 * self.confirm_rounds
        return RoundPlan(self.confirm_rounds, budget, self.tie_margin)


@dataclass
class SearchPlan:
    """The checked inputs of a search, ready to run."""

    settings: SearchSettings
    model: ModelInfo
    space: SearchSpace
    limits: Limits
    study_name: str
    out_dir: Path
    environment: dict[str, Any]
    variants: dict[str, str] = field(default_factory=dict)  # e.g. {"int8": its IR}, once made
    int8_key: str | None = None  # --quantize: which INT8 model this search makes (cache key)
    pad: dict[str, float] | None = None  # --pad: bucket policies' pad values by input

    def model_payload(self) -> dict[str, Any]:
        """The model part of every worker job: the file, the shape, the batch axes (a config's
        batch is applied along them and nowhere else), and the variants' files."""
        return {
            "model_path": self.model.path,
            "shape": self.model.shape,
            "batch_axes": self.model.batch_axes.to_dict(),
            "mix": self.model.mix.to_dict() if self.model.mix is not None else None,
            "pad": self.pad,
            "variants": self.variants,
        }

    @property
    def cache_dir(self) -> str:
        """OpenVINO's compile cache, under the study folder (absolute: the worker may move)."""
        return str((self.out_dir / "cache").resolve())

    @property
    def environment_fingerprint(self) -> dict[str, Any]:
        return fingerprint(self.environment)


def _check_out_dir(path: Path) -> None:
    """The output folder must be a folder we can create and write (checked, not created)."""
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        raise BadInputError(
            f"output folder '{path}' cannot be created: '{probe}' is a file",
            "pass a folder path to --out-dir",
        )
    if not os.access(probe, os.W_OK | os.X_OK):
        raise BadInputError(
            f"output folder '{path}' is not writable", "pass a writable --out-dir folder"
        )


def plan_search(s: SearchSettings) -> SearchPlan:
    """Check the model, devices, limits and output folder; nothing is written yet."""
    from autotune import runtime  # openvino: only when a search is planned

    validate_settings(s)
    shape, mix = planned_shapes(s.model_path, s.shape, s.inputs_dir)
    available = runtime.available_devices()
    sizes = powers_of_two(s.max_batch)
    model = runtime.inspect_model(
        s.model_path,
        shape,
        layouts=parse_layouts(s.layout) if s.layout else None,
        batch_sizes=sorted({2, sizes[-1]}) if sizes[-1] > 1 else (),
        device="CPU" if "CPU" in available else available[0],
        # the BATCH device is searched by default, or when --device names it
        auto_batch=not s.device or "BATCH" in s.device.upper(),
        mix=mix,
    )
    pad = parse_pad(s.pad, [i.name for i in model.inputs]) if s.pad else None
    devices = resolve_devices(s.device, available, model)
    caps = runtime.device_capabilities(
        next((d for d in devices if not is_virtual(d)), available[0])
    )
    int8_key = None
    if s.quantize:
        nncf = runtime.nncf_version()  # a one-line error now when the extra is missing
        int8_key = quantization_key(model.sha256, model.shape, s.calibration_dir, nncf)
    if s.accuracy_fn is not None:
        check_accuracy_fn(s.accuracy_fn, os.getcwd())
    space = build_space(
        devices,
        caps,
        model,
        s.max_batch,
        scenario=s.scenario,
        variants=(INT8,) if s.quantize else (),
        policies=shape_policies(model.mix, pad),
    )
    limits = limits_for(s)
    name = s.study_name or default_study_name(model, s.device, s)
    out_dir = (Path(s.out_dir) if s.out_dir else default_out_dir(name)).absolute()
    _check_out_dir(out_dir)
    if s.inputs_dir is not None:
        if not Path(s.inputs_dir).is_dir():
            raise BadInputError(
                f"--inputs folder '{s.inputs_dir}' does not exist", "pass a folder of .npy files"
            )
        # shapes checked now, not in every trial
        load_samples(
            s.inputs_dir,
            model.inputs,
            limit=s.max_samples,
            axes=model.batch_axes.inputs,
            mix=model.mix,
        )
    return SearchPlan(
        settings=s,
        model=model,
        space=space,
        limits=limits,
        study_name=name,
        out_dir=out_dir,
        environment=collect_environment(),
        int8_key=int8_key,
        pad=pad,
    )


def limits_for(s: SearchSettings) -> Limits:
    """The limits a search's settings ask for (the judge's :class:`Limits`)."""
    return Limits(
        max_latency_ms=s.max_latency_s * 1e3 if s.max_latency_s else None,
        percentile=s.percentile,
        max_memory_bytes=s.max_memory_bytes,
        max_drift=s.max_drift,
        max_first_inference_ms=s.max_first_inference_s * 1e3 if s.max_first_inference_s else None,
        min_top1=s.min_top1,
        scenario=s.scenario,
        # --rate: the rate a config must sustain; with --objective latency, the rate every
        # config is measured at (its latency percentile there is the figure)
        min_rate=s.rate if s.objective != "latency" else None,
        at_rate=s.rate if s.objective == "latency" and s.scenario == SERVER else None,
        max_drop=s.max_drop,
        fps=s.fps,
        streams=s.streams,
    )


def study_metadata(plan: SearchPlan) -> dict[str, Any]:
    """What the study records about itself: the model, devices, limits and space it was made
    for, and the environment and hardware fingerprint it was measured in."""
    s = plan.settings
    space = plan.space
    return {
        "model": plan.model.to_dict(),
        "devices": list(space.devices),
        "device_option": s.device,
        "limits": plan.limits.to_dict(),
        "trial_time_s": s.trial_time_s,
        "max_batch": s.max_batch,
        "objective": s.objective,
        "int8_key": plan.int8_key,
        "pad": plan.pad,
        "out_dir": str(plan.out_dir),
        "environment": plan.environment,
        "fingerprint": plan.environment_fingerprint,
        "space": {
            "devices": list(space.devices),
            "batches": list(space.batches),
            "auto_batch_sizes": list(space.auto_batch_sizes),
            "variants": list(space.variants),
            "shape_policies": list(space.policies),
            "precisions": space.precision_choices(),
            "streams_range": list(space.capabilities.streams_range),
            "max_threads": space.capabilities.max_threads,
            "default_precision": space.capabilities.default_precision,
        },
    }
