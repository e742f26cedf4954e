"""What requests are started with: one static set of inputs, or a seeded sequence of shapes
drawn from the traffic's mix (each item padded up to its bucket under a bucket policy), with
the compiled model that runs it and a label for per-shape latency."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import openvino as ov

from autotune.core import ShapeMix, bucket_of, bucket_shapes, fill_input, policy_buckets
from autotune.runtime._model import input_name


@dataclass
class Feed:
    """Inputs to start requests with, in order (cycled). A single item is set on a request
    once; several are set before each start."""

    arrays: list[list[np.ndarray]]  # per item, one array per input (kept alive: shared memory)
    buckets: list[int]  # which compiled model runs each item (0 without buckets)
    labels: list[str]  # the item's shape, for latency per shape
    tensors: list[list[ov.Tensor]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.tensors = [[ov.Tensor(a, shared_memory=True) for a in item] for item in self.arrays]

    @property
    def varies(self) -> bool:
        return len(self.arrays) > 1


def shape_label(shapes: dict[str, list[int]], axes: dict[str, list[int]]) -> str:
    """``input1[256]``: the sizes of the varying axes only (the rest are the same for all)."""
    return ",".join(
        f"{name}[{','.join(str(shapes[name][a]) for a in axes[name])}]" for name in axes
    )


def pad_to(array: np.ndarray, target: list[int], value: float) -> np.ndarray:
    """``array`` padded at the end of each axis up to ``target`` with ``value``."""
    widths = [(0, t - s) for s, t in zip(array.shape, target, strict=True)]
    if not any(w for _, w in widths):
        return array
    return np.pad(array, widths, constant_values=value)


def build_feed(
    model: ov.Model,
    roles: dict[str, tuple[str, int | None]],
    mix: ShapeMix | None,
    policy: str | None,
    pad: dict[str, float] | None,
    static_inputs: list[np.ndarray],
    seed: int = 0,
) -> Feed:
    """The feed of a config: ``static_inputs`` as one item for a static model, else the mix's
    seeded sequence (the same for every config), each item's arrays filled by element type and
    role at its own shape and, under a bucket policy, padded to its bucket with ``pad``."""
    if mix is None or not mix.varies:
        return Feed([static_inputs], [0], [""])
    varying = mix.varying_axes()
    buckets = bucket_shapes(mix, policy_buckets(policy)) if policy_buckets(policy) else None
    rng = np.random.default_rng(seed)
    arrays, indices, labels = [], [], []
    for shapes in mix.sequence(seed=seed):
        item = []
        bucket = bucket_of(shapes, buckets) if buckets else 0
        for i, port in enumerate(model.inputs):
            name = input_name(port, i)
            role, high = roles.get(name, ("data", None))
            array = fill_input(
                port.get_element_type().get_type_name(),
                shapes[name],
                rng,
                role=role,
                high=high,
                zero_state=True,
            )
            if buckets:
                array = pad_to(array, buckets[bucket][name], (pad or {}).get(name, 0.0))
            item.append(array)
        arrays.append(item)
        indices.append(bucket)
        labels.append(shape_label(shapes, varying))
    return Feed(arrays, indices, labels)
