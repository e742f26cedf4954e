"""A runtime configuration: what we ask OpenVINO for, and its identity once OpenVINO clamps it.

A :class:`RuntimeConfig` is plain data (no openvino import): the search space produces it, the
measurement compiles it, the export writes it. ``properties()`` is exactly the key/value set
that ``benchmark_app -load_config`` reads and that :func:`autotune.compile_model` applies.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from autotune.core._knobs import AUTO_DEVICE, BATCH_DEVICE, IDENTITY_PROPERTIES, KNOBS

# Read-back values that leave a configuration what it was before the knob existed: a config
# without CPU reservation keeps the identity (the key) that earlier studies stored for it.
SILENT_DEFAULTS = frozenset({("ENABLE_CPU_RESERVATION", "NO")})

HINTS = ("LATENCY", "THROUGHPUT", "CUMULATIVE_THROUGHPUT", "NONE")
PRESET_HINTS = ("LATENCY", "THROUGHPUT")
# Model variants a search may compile: the user's model (None) and its INT8 quantization.
INT8 = "int8"
VARIANTS = (INT8,)


@dataclass(frozen=True)
class RuntimeConfig:
    """One point of the search space, as requested (before OpenVINO clamps it).

    ``device`` is the base device (``CPU``, ``AUTO``, ``BATCH:CPU``); the BATCH device's batch
    size lives in ``auto_batch_size``. Requests: an explicit ``infer_requests`` count, or (when
    it is 0) ``request_multiplier`` × the compiled model's OPTIMAL_NUMBER_OF_INFER_REQUESTS,
    which ties the request pool to the streams the runtime actually made. ``None`` knobs are
    left to the runtime's defaults.
    """

    device: str = "CPU"
    hint: str = "LATENCY"
    batch: int = 1
    infer_requests: int = 0
    request_multiplier: int = 1
    precision: str | None = None
    streams: int | None = None
    threads: int | None = None
    cpu_pinning: bool | None = None
    hyper_threading: bool | None = None
    core_type: str | None = None
    cpu_reservation: bool | None = None  # single-stream: ENABLE_CPU_RESERVATION
    auto_batch_size: int | None = None
    auto_batch_timeout_ms: int | None = None
    preset: str | None = None
    raw_properties: dict[str, str] | None = None  # a config file's properties, taken verbatim
    variant: str | None = None  # which model: None = the user's, "int8" = its quantization
    # a mix of request shapes: "dynamic", "bounded" or "buckets<k>" (None: one static shape)
    shape_policy: str | None = None

    @property
    def target_device(self) -> str:
        """The device string given to ``compile_model`` (``BATCH:CPU(4)`` for auto-batching)."""
        if self.device.startswith(BATCH_DEVICE + ":"):
            return f"{self.device}({self.auto_batch_size or 1})"
        return self.device

    def properties(self) -> dict[str, str]:
        """Properties in benchmark_app ``-load_config`` form (strings, YES/NO booleans).

        Presets set only the hint, as ``benchmark_app -hint X`` does. An explicit request count
        is also pinned as PERFORMANCE_HINT_NUM_REQUESTS: benchmark_app's ``-nireq`` sets it
        anyway, so what we measure is what benchmark_app reproduces. (A multiple of the optimal
        count is never below the streams, so there that property changes nothing.)
        """
        if self.raw_properties is not None:
            return dict(self.raw_properties)
        props: dict[str, str] = {}
        if self.hint != "NONE":
            props["PERFORMANCE_HINT"] = self.hint
        if self.preset is None and self.infer_requests > 0:
            props["PERFORMANCE_HINT_NUM_REQUESTS"] = str(self.infer_requests)
        for knob in KNOBS:
            value = getattr(self, knob.field)
            if value is not None:
                props[knob.prop] = knob.encode(value)
        return props

    def knob_values(self) -> dict[str, Any]:
        """The knobs this config sets, by field name."""
        return {
            k.field: getattr(self, k.field) for k in KNOBS if getattr(self, k.field) is not None
        }

    def describe(self) -> str:
        """A short human label: ``CPU THROUGHPUT b4 nireq4 f32``."""
        parts = [self.target_device, self.hint if self.hint != "NONE" else "no-hint"]
        if self.batch != 1:
            parts.append(f"b{self.batch}")
        if self.infer_requests:
            parts.append(f"nireq{self.infer_requests}")
        else:
            parts.append(
                "nireq=optimal"
                if self.request_multiplier == 1
                else f"nireq={self.request_multiplier}×optimal"
            )
        parts.extend(
            k.short(getattr(self, k.field)) for k in KNOBS if getattr(self, k.field) is not None
        )
        if self.variant:
            parts.append(self.variant)
        if self.shape_policy:
            parts.append(self.shape_policy)
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RuntimeConfig:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def with_preset(self, preset: str | None) -> RuntimeConfig:
        return replace(self, preset=preset)


def preset_name(hint: str, precision: str | None = None, variant: str | None = None) -> str:
    """``LATENCY``; ``LATENCY f32`` with its precision pinned; ``LATENCY int8`` on the
    quantized model."""
    return " ".join(part for part in (hint, variant, precision) if part)


def preset_label(name: str) -> str:
    """``LATENCY`` → ``LATENCY hint``; ``THROUGHPUT f32`` → ``THROUGHPUT hint, f32``;
    ``LATENCY int8`` → ``LATENCY hint, int8``."""
    hint, _, rest = name.partition(" ")
    return f"{hint} hint" + (f", {rest}" if rest else "")


def preset_config(
    hint: str, device: str = "CPU", precision: str | None = None, variant: str | None = None
) -> RuntimeConfig:
    """An OpenVINO hint preset as users run it today: ``benchmark_app -d DEV -hint X``.

    With ``precision`` it is the same hint with INFERENCE_PRECISION_HINT pinned: the fair
    baseline when the device's default precision changes the model's answers. With
    ``variant`` it runs on that variant of the model (the INT8 quantization).
    """
    return RuntimeConfig(
        device=device,
        hint=hint,
        batch=1,
        infer_requests=0,
        precision=precision,
        preset=preset_name(hint, precision, variant),
        variant=variant,
    )


def preset_named(name: str, device: str = "CPU") -> RuntimeConfig:
    """The preset a name stands for: ``THROUGHPUT f32`` → the THROUGHPUT hint with f32;
    ``LATENCY int8`` → the LATENCY hint on the INT8 model."""
    hint, *rest = name.split()
    variant = next((r for r in rest if r in VARIANTS), None)
    precision = next((r for r in rest if r not in VARIANTS), None)
    return preset_config(hint, device, precision, variant)


def device_rank(device: str) -> int:
    """How simple a device is to deploy: a real device, then AUTO, then BATCH, then the rest."""
    if device.startswith(BATCH_DEVICE):
        return 2
    if device.startswith(AUTO_DEVICE):
        return 1
    if device.startswith(("HETERO", "MULTI")):
        return 3
    return 0


def simplicity(config: RuntimeConfig) -> tuple[int, int, int]:
    """Order of preference among requests that produce the same effective configuration: a
    hint preset, then the simpler device, then fewer knobs set by hand."""
    return (0 if config.preset else 1, device_rank(config.device), len(config.knob_values()))


@dataclass(frozen=True)
class EffectiveConfig:
    """What the compiled model actually runs with, read back after compile."""

    device: str
    batch: int
    infer_requests: int
    properties: dict[str, str] = field(default_factory=dict)
    variant: str | None = None  # the model variant compiled (None: the user's model)
    shape_policy: str | None = None  # how a mix of shapes is compiled (None: a static shape)

    def identity(self) -> dict[str, Any]:
        """The fields that make two configurations the same one."""
        kept = {
            k: self.properties[k]
            for k in IDENTITY_PROPERTIES
            if k in self.properties and (k, self.properties[k]) not in SILENT_DEFAULTS
        }
        variant = {"variant": self.variant} if self.variant else {}
        policy = {"shape_policy": self.shape_policy} if self.shape_policy else {}
        return {
            "device": self.device,
            "batch": self.batch,
            "infer_requests": self.infer_requests,
            **kept,
            **variant,
            **policy,
        }

    def key(self) -> str:
        """A stable short id of :meth:`identity` (used to pool repeated measurements)."""
        text = json.dumps(self.identity(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def describe(self) -> str:
        """``CPU, 2 streams/1 thread, batch 1, 2 req, bf16``."""
        p = self.properties
        parts = [self.device]
        if "NUM_STREAMS" in p and "INFERENCE_NUM_THREADS" in p:
            s, t = p["NUM_STREAMS"], p["INFERENCE_NUM_THREADS"]
            parts.append(
                f"{s} stream{'' if s == '1' else 's'}/{t} thread{'' if t == '1' else 's'}"
            )
        parts.append(f"batch {self.batch}")
        parts.append(f"{self.infer_requests} req")
        if "INFERENCE_PRECISION_HINT" in p:
            parts.append(p["INFERENCE_PRECISION_HINT"])
        if p.get("ENABLE_CPU_PINNING") == "NO":
            parts.append("no pinning")
        if "AUTO_BATCH_TIMEOUT" in p:
            parts.append(f"timeout {p['AUTO_BATCH_TIMEOUT']}ms")
        if self.variant:
            parts.append(f"{self.variant} model")
        if self.shape_policy:
            parts.append(self.shape_policy)
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EffectiveConfig:
        return cls(
            device=str(data["device"]),
            batch=int(data["batch"]),
            infer_requests=int(data["infer_requests"]),
            properties={str(k): str(v) for k, v in dict(data.get("properties", {})).items()},
            variant=data.get("variant"),
            shape_policy=data.get("shape_policy"),
        )
