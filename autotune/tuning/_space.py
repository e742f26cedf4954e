"""The search space, derived from what the device reports, sampled conditionally with Optuna.

Tree: device → hint → the knobs that apply there (:data:`autotune.core.KNOBS`: streams,
threads and the CPU knobs without a hint, precision always, the BATCH timeout on BATCH) →
batch (reshaped, or the BATCH device's size) → requests. Parameter names are the knobs' field
names, stable across studies so a resumed study keeps teaching the sampler.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import optuna

from autotune.core import (
    AUTO_DEVICE,
    BATCH_DEVICE,
    DEFAULT_PRECISION,
    DYNAMIC,
    HINTS,
    KNOBS,
    OFFLINE,
    PRESET_HINTS,
    SINGLE_STREAM,
    Choices,
    DeviceCapabilities,
    DeviceError,
    IntRange,
    ModelInfo,
    RuntimeConfig,
    Where,
    hardware_of,
    hints_device,
    preset_config,
)

# The Optuna value of the variant parameter that stands for the user's own model.
ORIGINAL = "original"
# Infer requests = multiplier × OPTIMAL_NUMBER_OF_INFER_REQUESTS (one per stream, or per
# stream × batch for BATCH): 1 keeps each stream busy, more queue requests in the plugin.
MAX_REQUEST_MULTIPLIER = 4


def powers_of_two(limit: int) -> list[int]:
    values, n = [], 1
    while n <= limit:
        values.append(n)
        n *= 2
    return values


def _sample(trial: optuna.Trial, name: str, domain: Choices | IntRange) -> Any:
    if isinstance(domain, IntRange):
        return trial.suggest_int(name, domain.low, domain.high, log=domain.log)
    return trial.suggest_categorical(name, list(domain.values))


@dataclass(frozen=True)
class SearchSpace:
    """The candidate configurations for one model on one machine."""

    devices: tuple[str, ...]  # e.g. ("CPU", "AUTO", "BATCH:CPU")
    capabilities: DeviceCapabilities  # of the hardware device the others run on
    batches: tuple[int, ...]  # reshaped N values
    auto_batch_sizes: tuple[int, ...]  # for BATCH:<dev>(N); empty disables the BATCH device
    variants: tuple[str, ...] = ()  # model variants besides the user's (INT8)
    # single-stream: one request in flight, so streams, batch and requests stay at 1; what is
    # searched is how that one request runs (device, hint or threads, pinning, precision…)
    single_stream: bool = False

    @property
    def hints(self) -> tuple[str, ...]:
        """The hints sampled (one request in flight needs no CUMULATIVE_THROUGHPUT)."""
        if self.single_stream:
            return tuple(h for h in HINTS if h != "CUMULATIVE_THROUGHPUT")
        return HINTS

    # a mix of request shapes: how the model meets it ("dynamic", "bounded", "buckets<k>")
    policies: tuple[str, ...] = ()

    @property
    def baseline_device(self) -> str:
        """The device the hint presets run on (:func:`autotune.core.hints_device`)."""
        return hints_device(self.devices)

    def presets(
        self, precision: str | None = None, variant: str | None = None
    ) -> list[RuntimeConfig]:
        """The hint presets as users run them (or with ``precision`` pinned, or on a variant
        of the model)."""
        policy = DYNAMIC if self.policies else None  # the hints as users run them: dynamic
        return [
            replace(
                preset_config(hint, self.baseline_device, precision, variant), shape_policy=policy
            )
            for hint in PRESET_HINTS
        ]

    def precision_choices(self) -> list[str]:
        return [DEFAULT_PRECISION, *self.capabilities.precisions]

    def suggest(self, trial: optuna.Trial) -> RuntimeConfig:
        """Sample one configuration; conditional parameters are only asked when they apply."""
        device = str(trial.suggest_categorical("device", list(self.devices)))
        hint = str(trial.suggest_categorical("hint", list(self.hints)))
        if device == AUTO_DEVICE and hint == "NONE":
            # AUTO exposes no stream/thread knobs of its own; NONE there means "AUTO's default".
            hint = "LATENCY"
        where = Where(
            device=device, hint=hint, caps=self.capabilities, single_stream=self.single_stream
        )
        knobs: dict[str, Any] = {}
        for knob in KNOBS:
            if knob.when(where):
                if self.single_stream and knob.field == "streams":
                    knobs["streams"] = 1  # one request: one stream, its threads searched
                    continue
                value = _sample(trial, knob.field, knob.domain(self.capabilities))
                knobs[knob.field] = None if value == DEFAULT_PRECISION else value
        auto_batch_size = None
        batch = self.batches[0]
        if device.startswith(BATCH_DEVICE):
            auto_batch_size = int(
                trial.suggest_categorical("auto_batch_size", self.auto_batch_sizes)
            )
            batch = 1
        elif len(self.batches) > 1:
            batch = int(trial.suggest_categorical("batch", list(self.batches)))
        multiplier = (
            1
            if self.single_stream
            else trial.suggest_int("request_multiplier", 1, MAX_REQUEST_MULTIPLIER)
        )
        variant = None
        if self.variants:
            chosen = str(trial.suggest_categorical("variant", [ORIGINAL, *self.variants]))
            variant = None if chosen == ORIGINAL else chosen
        policy = (
            str(trial.suggest_categorical("shape_policy", list(self.policies)))
            if self.policies
            else None
        )
        return RuntimeConfig(
            device=device,
            hint=hint,
            batch=batch,
            infer_requests=1 if self.single_stream else 0,
            request_multiplier=multiplier,
            auto_batch_size=auto_batch_size,
            variant=variant,
            shape_policy=policy,
            **knobs,
        )

    def preset_params(self, preset: RuntimeConfig) -> dict[str, object]:
        """The Optuna params that make :meth:`suggest` return ``preset`` (for enqueue_trial)."""
        params: dict[str, object] = {
            "device": preset.device,
            "hint": preset.hint,
            "precision": preset.precision or DEFAULT_PRECISION,
        }
        if not self.single_stream:
            params["request_multiplier"] = 1
        if len(self.batches) > 1:
            params["batch"] = preset.batch
        if self.variants:
            params["variant"] = preset.variant or ORIGINAL
        if self.policies:
            params["shape_policy"] = preset.shape_policy or DYNAMIC
        return params


def candidate_devices(available: list[str]) -> list[str]:
    """Every device a user may name: the real ones, AUTO, and BATCH:<dev>."""
    return [*available, AUTO_DEVICE, *(f"{BATCH_DEVICE}:{d}" for d in available)]


def _no_auto_batch(model: ModelInfo) -> str:
    """Why the BATCH device is not searched on this model ("" when it is)."""
    axes = model.batch_axes
    if not axes.searchable:
        return axes.reason or "the model has no batch axis proven to batch"
    return "" if axes.auto_batch else axes.auto_batch_reason


def default_devices(available: list[str], model: ModelInfo) -> list[str]:
    """What to search without ``--device``: only devices that can run a configuration of their
    own. AUTO over a single device is that device's config (same effective properties), and a
    BATCH device is searched only where a batch of distinct concurrent requests was proven to
    give each its own outputs (:class:`~autotune.core.BatchAxes`) — elsewhere it would run one
    request at a time, or mix the samples."""
    devices = list(available)
    if len(available) > 1:
        devices.append(AUTO_DEVICE)
    if not _no_auto_batch(model):
        devices.extend(f"{BATCH_DEVICE}:{d}" for d in available)
    return devices


def resolve_devices(requested: str | None, available: list[str], model: ModelInfo) -> list[str]:
    """Parse ``--device`` (comma list) against what exists; ``None`` means the defaults."""
    if not requested:
        return default_devices(available, model)
    candidates = candidate_devices(available)
    chosen: list[str] = []
    for raw in requested.split(","):
        name = raw.strip()
        normalized = name.upper()
        if normalized.startswith(BATCH_DEVICE + ":"):
            normalized = f"{BATCH_DEVICE}:{hardware_of(normalized)}"  # the size is searched
        if normalized not in candidates:
            raise DeviceError(
                f"device {name!r} is not available here",
                f"use one of: {', '.join(candidates)}",
            )
        why = _no_auto_batch(model) if normalized.startswith(BATCH_DEVICE + ":") else ""
        if why:
            raise DeviceError(
                f"device {name!r} cannot batch this model: {why}",
                "drop BATCH from --device, or declare the batch axes with --layout"
                if model.batch_axes.undeclared
                else "raise --max-batch to 2 or more, or drop BATCH from --device"
                if why.startswith("--max-batch")
                else "drop BATCH from --device",
            )
        if normalized not in chosen:
            chosen.append(normalized)
    return chosen


def build_space(
    devices: list[str],
    caps: DeviceCapabilities,
    model: ModelInfo,
    max_batch: int,
    *,
    scenario: str = OFFLINE,
    variants: tuple[str, ...] = (),
    policies: tuple[str, ...] = (),
) -> SearchSpace:
    """Assemble the space: reshaped batches if N can change, BATCH sizes if that device is in.

    In the server and multi-stream scenarios a request is one input as it arrives: a reshaped
    batch would have nothing to fill it, so batching is left to the BATCH device, whose size is
    searched together with its timeout (how long a request waits for the batch to fill). In
    single-stream one request is in flight: no batch, no BATCH device, one stream."""
    single = scenario == SINGLE_STREAM
    if model.batch_axes.searchable and scenario == OFFLINE:
        batches = tuple(powers_of_two(max_batch))
    else:
        batches = (model.batch,)
    if single:
        devices = [d for d in devices if not d.startswith(BATCH_DEVICE)]
        if not devices:
            raise DeviceError(
                "the BATCH device has nothing to batch with one request in flight",
                "pick CPU or AUTO for --scenario single-stream",
            )
    auto_sizes = () if single else tuple(b for b in powers_of_two(max_batch) if b > 1)
    if not auto_sizes and not single:
        devices = [d for d in devices if not d.startswith(BATCH_DEVICE)]
        if not devices:
            raise DeviceError(
                "the BATCH device needs --max-batch 2 or more", "raise --max-batch or pick CPU"
            )
    return SearchSpace(
        devices=tuple(devices),
        capabilities=caps,
        batches=batches,
        auto_batch_sizes=auto_sizes,
        variants=variants,
        single_stream=single,
        policies=policies,
    )
