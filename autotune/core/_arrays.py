"""Input data and batches as numpy arrays: what an input is filled with, and how samples are
stacked into a batch along their own axes and split back (numpy only; no openvino)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Roles an input can play, found in the graph by the runtime (autotune.runtime.input_roles):
DATA = "data"  # anything else: random values of its type
IDS = "ids"  # integer indices into a table (token ids): drawn below the table's size
STATE = "state"  # a recurrent state (an output has its shape): zeros when measuring speed

_NUMPY_TYPES = {
    "f32": "float32",
    "f16": "float16",
    "bf16": "float32",
    "f64": "float64",
    "i64": "int64",
    "i32": "int32",
    "i16": "int16",
    "i8": "int8",
    "u8": "uint8",
    "u16": "uint16",
    "u32": "uint32",
    "u64": "uint64",
    "boolean": "bool",
}


def numpy_type(element_type: str) -> np.dtype[np.generic]:
    """The numpy dtype of an OpenVINO element type name (``f32``, ``i64``…)."""
    return np.dtype(_NUMPY_TYPES.get(element_type, "float32"))


def fill_input(
    element_type: str,
    shape: Sequence[int],
    rng: np.random.Generator,
    *,
    role: str = DATA,
    high: int | None = None,
    zero_state: bool = False,
) -> np.ndarray:
    """One input's data: floats in [0, 1), booleans, small integers, or indices below ``high``
    for an id input; a state is zeros when ``zero_state`` (an application's first call)."""
    dtype = numpy_type(element_type)
    dims = tuple(int(d) for d in shape)
    if role == STATE and zero_state:
        return np.zeros(dims, dtype)
    if np.issubdtype(dtype, np.floating):
        return rng.random(dims, dtype=np.float32).astype(dtype)
    if dtype == np.bool_:
        return rng.integers(0, 2, dims).astype(np.bool_)
    top = high if role == IDS and high else 10
    if np.issubdtype(dtype, np.unsignedinteger) or role == IDS:
        return rng.integers(0, max(1, top), dims).astype(dtype)
    return rng.integers(0, top, dims).astype(dtype)


def stack_samples(
    samples: Sequence[Sequence[np.ndarray]], names: Sequence[str], axes: dict[str, int]
) -> list[np.ndarray]:
    """One batch from several samples (each a list of arrays in input order): the inputs with a
    batch axis concatenated along it, the others taken from the first sample (shared)."""
    out = []
    for index, name in enumerate(names):
        axis = axes.get(name)
        if axis is None or len(samples) == 1:
            out.append(np.asarray(samples[0][index]))
        else:
            out.append(np.concatenate([np.asarray(s[index]) for s in samples], axis=axis))
    return out


def split_outputs(
    outputs: dict[str, np.ndarray], axes: dict[str, int], count: int
) -> list[dict[str, np.ndarray]]:
    """A batch's outputs as ``count`` per-sample outputs, each output cut along its own batch
    axis (an output without one is given whole to every sample)."""
    per_sample: list[dict[str, np.ndarray]] = [{} for _ in range(count)]
    for name, array in outputs.items():
        axis = axes.get(name)
        parts = (
            np.split(array, count, axis=axis)
            if axis is not None and count > 1 and array.shape[axis] % count == 0
            else [array] * count
        )
        for k in range(count):
            per_sample[k][name] = parts[k]
    return per_sample


def group_samples(
    samples: Sequence[Sequence[np.ndarray]],
    names: Sequence[str],
    axes: dict[str, int],
    size: int,
) -> list[list[int]]:
    """Which samples go into each batch of ``size``: consecutive samples that agree on every
    shared input (one without a batch axis takes one value for the whole batch). A short group
    is filled up with its own samples again, so every batch is full; the repeats are not
    counted twice (indices may repeat; callers keep the first outputs of each index)."""
    shared = [i for i, n in enumerate(names) if n not in axes]
    groups: list[list[int]] = []
    current: list[int] = []
    for s, sample in enumerate(samples):
        fits = current and all(np.array_equal(samples[current[0]][i], sample[i]) for i in shared)
        if current and (len(current) == size or not fits):
            groups.append(current)
            current = []
        current.append(s)
    if current:
        groups.append(current)
    return [(g * size)[:size] for g in groups]
