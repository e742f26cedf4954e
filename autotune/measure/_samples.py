"""Input samples for the accuracy guard: the user's .npy files, or seeded random data.

Convention for ``--inputs DIR``: for a model with one input, every ``*.npy`` in DIR is one
sample, shaped like the input (``[1,3,224,224]``) or without its batch axis (``[3,224,224]``);
a file may also stack several samples on a leading axis (``[S,3,224,224]`` when the input has
batch 1). For several inputs, name the files after the inputs (``a.npy``, ``b.npy``), each
holding one sample or a stack of samples.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from autotune.core import BadInputError, InputInfo

# Samples the accuracy guard runs on every trial: user samples up to this many, else seeded
# random ones (top-1 agreement needs enough of them to mean something).
MAX_SAMPLES = 32
MAX_CALIBRATION_SAMPLES = 300  # NNCF's default subset size
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


def load_samples(
    folder: str | Path, inputs: tuple[InputInfo, ...], limit: int = MAX_SAMPLES
) -> list[list[np.ndarray]]:
    """Samples as lists of arrays in input order; checked against the static input shapes.
    At most ``limit``: 32 judge accuracy, up to 300 calibrate a quantization."""
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
    n = min(counts.pop(), limit)
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
