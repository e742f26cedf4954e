"""Input samples for the accuracy guard: the user's .npy files, or seeded random data.

Convention for ``--inputs DIR``: for a model with one input, every ``*.npy`` in DIR is one
sample, shaped like the input (``[1,3,224,224]``) or without its batch axis (``[3,224,224]``);
a file may also stack several samples on a leading axis (``[S,3,224,224]`` when the input has
batch 1). For several inputs, name the files after the inputs (``a.npy``, ``b.npy``), each
holding one sample or a stack of samples.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from autotune.errors import BadInputError
from autotune.facts import InputInfo

# Samples the accuracy guard runs on every trial: user samples up to this many, else seeded
# random ones (top-1 agreement needs enough of them to mean something).
MAX_SAMPLES = 32
RANDOM_SAMPLES = 8


def _as_samples(array: np.ndarray, shape: tuple[int, ...], source: str) -> list[np.ndarray]:
    if array.shape == shape:
        return [array]
    if array.shape == shape[1:]:
        return [array[None, ...]]
    if shape and shape[0] == 1 and array.shape[1:] == shape[1:]:
        return [array[i : i + 1] for i in range(array.shape[0])]
    raise BadInputError(
        f"{source} has shape {list(array.shape)}, the input expects {list(shape)}",
        "save samples shaped like the input (or without its batch axis)",
    )


def load_samples(folder: str | Path, inputs: tuple[InputInfo, ...]) -> list[list[np.ndarray]]:
    """Samples as lists of arrays in input order; checked against the static input shapes."""
    directory = Path(folder)
    files = sorted(directory.glob("*.npy"))
    if not files:
        raise BadInputError(
            f"--inputs folder '{folder}' holds no .npy file", "save samples with numpy.save"
        )
    per_input: list[list[np.ndarray]] = []
    for info in inputs:
        assert info.shape is not None
        if len(inputs) == 1:
            chosen = files
        else:
            chosen = [f for f in files if f.stem == info.name]
            if not chosen:
                raise BadInputError(
                    f"--inputs has no {info.name}.npy for input '{info.name}'",
                    "name the files after the model's inputs",
                )
        arrays: list[np.ndarray] = []
        for f in chosen:
            try:
                data = np.load(f, allow_pickle=False)
            except ValueError as exc:
                raise BadInputError(
                    f"{f.name} is not a numpy array file ({exc})", "save with numpy.save"
                ) from None
            arrays.extend(_as_samples(data, info.shape, f.name))
        dtype = np.dtype(_numpy_type(info.element_type))
        per_input.append([a.astype(dtype, copy=False) for a in arrays])
    counts = {len(a) for a in per_input}
    if len(counts) != 1:
        raise BadInputError(
            "--inputs gives different sample counts per input",
            "give each input the same number of samples",
        )
    n = min(counts.pop(), MAX_SAMPLES)
    return [[per_input[i][s] for i in range(len(inputs))] for s in range(n)]


def _numpy_type(element_type: str) -> str:
    return {
        "f32": "float32",
        "f16": "float16",
        "bf16": "float32",
        "f64": "float64",
        "i64": "int64",
        "i32": "int32",
        "i8": "int8",
        "u8": "uint8",
        "boolean": "bool",
    }.get(element_type, "float32")


def random_samples(
    inputs: tuple[InputInfo, ...], count: int = RANDOM_SAMPLES, seed: int = 1234
) -> list[list[np.ndarray]]:
    """Seeded random samples (floats in [0, 1), small integers), the same for every trial."""
    rng = np.random.default_rng(seed)
    samples = []
    for _ in range(count):
        sample = []
        for info in inputs:
            assert info.shape is not None
            dtype = np.dtype(_numpy_type(info.element_type))
            if np.issubdtype(dtype, np.floating):
                sample.append(rng.random(info.shape, dtype=np.float32).astype(dtype))
            elif dtype == np.bool_:
                sample.append(rng.integers(0, 2, info.shape).astype(np.bool_))
            else:
                sample.append(rng.integers(0, 10, info.shape).astype(dtype))
        samples.append(sample)
    return samples


def is_probability_vector(array: np.ndarray) -> bool:
    """Whether an output holds class scores: along its last axis (≥ 2 entries) every slice is a
    probability distribution (non-negative, summing to 1), as after a softmax."""
    if array.ndim < 2 or array.shape[-1] < 2 or not np.issubdtype(array.dtype, np.floating):
        return False
    values = array.astype(np.float64)
    return bool(np.all(values >= -1e-6) and np.allclose(values.sum(axis=-1), 1.0, atol=1e-3))


def _aligned(value: np.ndarray, ref: np.ndarray) -> np.ndarray | None:
    """``value`` shaped like ``ref``: a batched config's output is cut to its first sample."""
    if (
        value.shape != ref.shape
        and value.ndim == ref.ndim
        and value.shape[0] % max(1, ref.shape[0]) == 0
        and value.shape[1:] == ref.shape[1:]
    ):
        value = value[: ref.shape[0]]
    return value if value.shape == ref.shape else None


def compare_outputs(
    references: list[dict[str, np.ndarray]], outputs: list[dict[str, np.ndarray]], source: str
) -> dict[str, Any]:
    """A config's outputs against the f32 reference, per output, over every sample:

    - ``rel_l2``: ‖y − ref‖₂ / ‖ref‖₂ with the norms taken over all samples together (robust
      to a sample whose output is near zero);
    - ``top1``: the share of positions (samples × leading indices) whose argmax agrees, for
      outputs that are probability vectors in every reference sample; None otherwise;
    - ``max_abs`` / ``max_rel``: the largest single-element error, absolute and relative to
      the output's largest magnitude (information: on random data it is very conservative).
    """
    names = list(references[0]) if references else []
    per_output: dict[str, dict[str, Any]] = {}
    for name in names:
        diff2 = ref2 = 0.0
        max_abs = scale = 0.0
        matches = positions = 0
        scores = all(is_probability_vector(r[name]) for r in references)
        compared = 0
        for ref_set, got_set in zip(references, outputs, strict=True):
            ref = ref_set[name]
            got = got_set.get(name)
            value = _aligned(got, ref) if got is not None else None
            if value is None:
                continue
            compared += 1
            r64, v64 = ref.astype(np.float64), value.astype(np.float64)
            delta = v64 - r64
            diff2 += float(np.sum(delta * delta))
            ref2 += float(np.sum(r64 * r64))
            if ref.size:
                max_abs = max(max_abs, float(np.max(np.abs(delta))))
                scale = max(scale, float(np.max(np.abs(r64))))
            if scores:
                agree = np.argmax(r64, axis=-1) == np.argmax(v64, axis=-1)
                matches += int(np.sum(agree))
                positions += int(agree.size)
        if not compared:
            continue
        if ref2 > 0:
            rel_l2 = math.sqrt(diff2 / ref2)
        else:
            rel_l2 = 0.0 if diff2 == 0 else math.inf
        per_output[name] = {
            "rel_l2": rel_l2,
            "max_abs": max_abs,
            "max_rel": max_abs / scale if scale > 0 else (0.0 if max_abs == 0 else math.inf),
            "top1": matches / positions if positions else None,
            "positions": positions,
        }
    top1 = [o["top1"] for o in per_output.values() if o["top1"] is not None]
    return {
        "samples": len(references),
        "source": source,
        "outputs": per_output,
        "rel_l2": max((o["rel_l2"] for o in per_output.values()), default=0.0),
        "top1": min(top1) if top1 else None,
        "max_rel_error": max((o["max_rel"] for o in per_output.values()), default=0.0),
    }
