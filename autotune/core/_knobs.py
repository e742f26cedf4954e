"""The OpenVINO properties the search sets, as one table.

Each :class:`Knob` says which :class:`~autotune.core.RuntimeConfig` field holds it, the
property it becomes, how it is shown in a label, when the search samples it (for which device,
hint and device capabilities) and from which values. The config writes its properties from this
table, the search space samples from it, and the effective identity compares the properties it
names — so adding a knob is one entry here and one field on RuntimeConfig.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from autotune.core._facts import DeviceCapabilities

BATCH_DEVICE = "BATCH"
AUTO_DEVICE = "AUTO"
# The precision choice that leaves INFERENCE_PRECISION_HINT to the device's default.
DEFAULT_PRECISION = "default"
CORE_TYPES = ("ANY_CORE", "PCORE_ONLY", "ECORE_ONLY")
# AUTO_BATCH_TIMEOUT in ms: the runtime default (1000 ms) holds a request up to a second, so
# the space stays far below it.
AUTO_BATCH_TIMEOUT_RANGE_MS = (1, 200)


@dataclass(frozen=True)
class Choices:
    values: tuple[Any, ...]


@dataclass(frozen=True)
class IntRange:
    low: int
    high: int
    log: bool = False


Domain = Choices | IntRange


@dataclass(frozen=True)
class Where:
    """What a knob's sampling may depend on."""

    device: str
    hint: str
    caps: DeviceCapabilities
    single_stream: bool = False  # one request in flight (--scenario single-stream)

    @property
    def hand_tuned(self) -> bool:
        """No performance hint: streams, threads and the CPU knobs are set by hand."""
        return self.hint == "NONE"


@dataclass(frozen=True)
class Knob:
    field: str  # the RuntimeConfig attribute (also the Optuna parameter name)
    prop: str  # the OpenVINO property it sets
    short: Callable[[Any], str]  # its part of a config's label
    when: Callable[[Where], bool]  # whether the search samples it here
    domain: Callable[[DeviceCapabilities], Domain]  # the values it samples from

    def encode(self, value: Any) -> str:
        """The property value as benchmark_app's -load_config writes it (YES/NO booleans)."""
        if isinstance(value, bool):
            return "YES" if value else "NO"
        return str(value)


def _count(limit: int) -> bool:
    return limit > 16  # sample wide integer ranges on a log scale


KNOBS: tuple[Knob, ...] = (
    Knob(
        "streams",
        "NUM_STREAMS",
        lambda v: f"{v}s",
        lambda w: w.hand_tuned,
        lambda caps: IntRange(*caps.streams_range, log=_count(caps.streams_range[1])),
    ),
    Knob(
        "threads",
        "INFERENCE_NUM_THREADS",
        lambda v: f"{v}t",
        lambda w: w.hand_tuned,
        lambda caps: IntRange(1, caps.max_threads, log=_count(caps.max_threads)),
    ),
    Knob(
        "precision",
        "INFERENCE_PRECISION_HINT",
        str,
        lambda w: True,
        lambda caps: Choices((DEFAULT_PRECISION, *caps.precisions)),
    ),
    Knob(
        "cpu_pinning",
        "ENABLE_CPU_PINNING",
        lambda v: "pin" if v else "nopin",
        lambda w: w.hand_tuned and w.caps.supports("ENABLE_CPU_PINNING"),
        lambda caps: Choices((True, False)),
    ),
    Knob(
        "hyper_threading",
        "ENABLE_HYPER_THREADING",
        lambda v: "ht" if v else "noht",
        lambda w: (
            w.hand_tuned and w.caps.hyper_threading and w.caps.supports("ENABLE_HYPER_THREADING")
        ),
        lambda caps: Choices((True, False)),
    ),
    Knob(
        "core_type",
        "SCHEDULING_CORE_TYPE",
        lambda v: str(v).lower(),
        lambda w: w.hand_tuned and w.caps.hybrid_cores and w.caps.supports("SCHEDULING_CORE_TYPE"),
        lambda caps: Choices(CORE_TYPES),
    ),
    Knob(
        "cpu_reservation",
        "ENABLE_CPU_RESERVATION",
        lambda v: "reserve" if v else "noreserve",
        lambda w: w.hand_tuned and w.single_stream and w.caps.supports("ENABLE_CPU_RESERVATION"),
        lambda caps: Choices((True, False)),
    ),
    Knob(
        "auto_batch_timeout_ms",
        "AUTO_BATCH_TIMEOUT",
        lambda v: f"timeout{v}ms",
        lambda w: w.device.startswith(BATCH_DEVICE),
        lambda caps: IntRange(*AUTO_BATCH_TIMEOUT_RANGE_MS, log=True),
    ),
)

# Effective properties that decide how inference runs; two configs equal on these (plus device,
# batch and requests) are the same configuration whatever was requested.
IDENTITY_PROPERTIES = tuple(k.prop for k in KNOBS)
