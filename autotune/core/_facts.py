"""Plain data the runtime reports about a model and a device.

Kept apart from :mod:`autotune.runtime` so the search space, the objective and the tests can use
it without importing openvino.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from autotune.core._batch import BatchAxes
from autotune.core._shapes import ShapeMix


@dataclass(frozen=True)
class InputInfo:
    name: str
    partial_shape: str
    element_type: str
    shape: tuple[int, ...] | None = None  # static shape after --shape, None if still dynamic
    role: str = "data"  # "data", "ids" (indices into a table), "state" (an output has its shape)
    high: int | None = None  # ids: the table's size (values are drawn below it)


@dataclass(frozen=True)
class ModelInfo:
    """What autotune needs to know about a model before it benchmarks it."""

    path: str
    inputs: tuple[InputInfo, ...]
    outputs: tuple[str, ...]
    shape: dict[str, list[int]] | None  # the --shape given (resolved to input names)
    batch: int  # the size of the batch axes after --shape, 1 when there is none
    batch_axes: BatchAxes  # where the batch lives, and whether batches were proven to work
    sha256: str  # of the model file(s), to refuse reusing a study for another model
    flops: float | None = None  # multiply-adds x2 per inference at the fixed shape
    # the traffic's shapes when they vary (--shape ranges or --inputs): every request draws its
    # shape from it; ``shape`` is then None and each input's ``shape`` the mix's median
    mix: ShapeMix | None = None

    @property
    def is_static(self) -> bool:
        return all(i.shape is not None for i in self.inputs)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["mix"] = self.mix.to_dict() if self.mix is not None else None
        return data


@dataclass(frozen=True)
class DeviceCapabilities:
    """What a device reports, from which the search space is derived."""

    name: str
    full_name: str
    streams_range: tuple[int, int]
    max_threads: int
    precisions: tuple[str, ...]  # f32/bf16/f16 as OPTIMIZATION_CAPABILITIES lists them
    default_precision: str
    supported_properties: frozenset[str] = field(default_factory=frozenset)
    hyper_threading: bool = False  # more logical than physical cores
    hybrid_cores: bool = False  # performance + efficient cores

    def supports(self, prop: str) -> bool:
        return prop in self.supported_properties
