"""What devices exist, what they report, and how properties are written and read back."""

from __future__ import annotations

import enum
import os
from pathlib import Path
from typing import Any

import openvino as ov

from autotune.core import (
    AUTO_DEVICE,
    BATCH_DEVICE,
    IDENTITY_PROPERTIES,
    DeviceCapabilities,
    DeviceError,
    EffectiveConfig,
    hardware_of,
)
from autotune.runtime._model import shared_core

_PRECISIONS = {"FP32": "f32", "BF16": "bf16", "FP16": "f16"}
READBACK_PROPERTIES = (
    "PERFORMANCE_HINT",
    "PERFORMANCE_HINT_NUM_REQUESTS",
    *IDENTITY_PROPERTIES,
    "OPTIMAL_NUMBER_OF_INFER_REQUESTS",
    "EXECUTION_DEVICES",
)


def runtime_version() -> str:
    return str(ov.get_version())


def available_devices() -> list[str]:
    return list(shared_core().available_devices)


def device_full_names() -> dict[str, str]:
    core = shared_core()
    names = {}
    for device in core.available_devices:
        try:
            names[device] = str(core.get_property(device, "FULL_DEVICE_NAME"))
        except Exception:
            names[device] = device
    return names


def _available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _physical_cores() -> int | None:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return None
    cores = set()
    physical = core = None
    for line in text.splitlines():
        if line.startswith("physical id"):
            physical = line.split(":", 1)[1].strip()
        elif line.startswith("core id"):
            core = line.split(":", 1)[1].strip()
            cores.add((physical, core))
    return len(cores) or None


def normalize_value(value: Any) -> str:
    """Property values as benchmark_app writes them: YES/NO, enum names, short type names."""
    if isinstance(value, bool):
        return "YES" if value else "NO"
    if isinstance(value, ov.Type):
        return str(value.get_type_name())
    if isinstance(value, enum.Enum):
        return str(value.name)
    if isinstance(value, (list, tuple)):
        return ",".join(normalize_value(v) for v in value)
    text = str(value)
    if "." in text and text.split(".", 1)[0] in {"PerformanceMode", "SchedulingCoreType"}:
        return text.split(".", 1)[1]
    return text


def device_capabilities(device: str) -> DeviceCapabilities:
    """Read what the hardware device under ``device`` supports (streams, precisions, knobs)."""
    core = shared_core()
    hardware = hardware_of(device)
    if hardware == AUTO_DEVICE:
        hardware = core.available_devices[0]
    if hardware not in core.available_devices:
        raise DeviceError(
            f"device {device!r} is not available here",
            f"use one of: {', '.join(core.available_devices)}",
        )
    supported = frozenset(str(k) for k in core.get_property(hardware, "SUPPORTED_PROPERTIES"))

    def read(name: str, default: Any) -> Any:
        if name not in supported:
            return default
        try:
            return core.get_property(hardware, name)
        except Exception:
            return default

    low, high = read("RANGE_FOR_STREAMS", (1, 1))
    capabilities = [str(c) for c in read("OPTIMIZATION_CAPABILITIES", [])]
    precisions = tuple(_PRECISIONS[c] for c in ("FP32", "BF16", "FP16") if c in capabilities)
    default_precision = normalize_value(read("INFERENCE_PRECISION_HINT", "f32"))
    logical = _available_cpus()
    physical = _physical_cores()
    return DeviceCapabilities(
        name=hardware,
        full_name=str(read("FULL_DEVICE_NAME", hardware)),
        streams_range=(int(low), int(high)),
        max_threads=logical if hardware == "CPU" else 1,
        precisions=precisions or ("f32",),
        default_precision=default_precision,
        supported_properties=supported,
        hyper_threading=bool(physical and (os.cpu_count() or 1) > physical),
        hybrid_cores=Path("/sys/devices/cpu_atom").exists(),
    )


def to_runtime_properties(properties: dict[str, str]) -> dict[str, Any]:
    """benchmark_app's -load_config conversion: YES/NO become booleans, the rest stays text."""
    out: dict[str, Any] = {}
    for key, value in properties.items():
        if value in ("YES", "NO"):
            out[key] = value == "YES"
        else:
            out[key] = value
    return out


def device_batches(compiled: ov.CompiledModel) -> bool:
    """Whether the model the device really runs takes other input shapes than the compiled
    model offers: the BATCH device reshapes the batch axis to N where it finds one, and
    silently runs the model as it is where it does not."""
    try:
        runtime = compiled.get_runtime_model().inputs
        offered = compiled.inputs
        return any(
            r.get_partial_shape() != o.get_partial_shape()
            for r, o in zip(runtime, offered, strict=True)
        )
    except Exception:
        return False


def read_effective(
    compiled: ov.CompiledModel,
    device: str,
    batch: int,
    requested_requests: int,
    request_multiplier: int = 1,
    auto_batch_size: int | None = None,
) -> EffectiveConfig:
    """Read the properties the compiled model really uses (OpenVINO clamps silently).

    The identity's device is the one that runs the work: AUTO resolving to a single device is
    that device's configuration, and a BATCH device that does not batch (the model's batch
    axis is not detectable, or fewer requests than N are in flight) is the plain device's.
    On AUTO the properties live under DEVICE_PROPERTIES of the device AUTO picked.
    """
    values: dict[str, str] = {}
    sources: list[Any] = [compiled]
    if device.startswith(AUTO_DEVICE):
        try:
            per_device = compiled.get_property("DEVICE_PROPERTIES")
            sources = [next(iter(per_device.values())), compiled]
        except Exception:
            sources = [compiled]
    for name in READBACK_PROPERTIES:
        for source in sources:
            try:
                raw = source[name] if isinstance(source, dict) else source.get_property(name)
            except Exception:
                continue
            values[name] = normalize_value(raw)
            break
    optimal = int(values.get("OPTIMAL_NUMBER_OF_INFER_REQUESTS", "1") or 1)
    requests = requested_requests or max(1, request_multiplier) * optimal
    resolved = device
    executing = [d for d in values.get("EXECUTION_DEVICES", "").split(",") if d]
    if device.startswith(AUTO_DEVICE) and len(executing) == 1:
        resolved = executing[0]
    if device.startswith(BATCH_DEVICE + ":"):
        size = auto_batch_size or 1
        if size < 2 or not device_batches(compiled) or requests < size:
            resolved = hardware_of(device)
            values.pop("AUTO_BATCH_TIMEOUT", None)
            values["AUTO_BATCHING"] = "inactive"
    return EffectiveConfig(
        device=resolved,
        batch=batch,
        infer_requests=requests,
        properties=values,
    )
