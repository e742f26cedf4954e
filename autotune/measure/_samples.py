"""Input samples for the accuracy guard: the user's files, or seeded random data.

``--inputs DIR`` holds either

- ``.npz`` files, one sample each, with one array per input name (``np.savez(f, input=…,
  state=…)``): any model, any number of inputs; or
- ``.npy`` files: for a model with one input, every file is one sample or a stack of them; for
  several inputs, files named after the inputs (``a.npy``, ``b.npy``), each one sample or a stack.

An array is shaped like the input (``[1,3,224,224]``), or like it without its batch axis
(``[3,224,224]``); a stack of S samples is the input's shape with its batch axis at S
(``[S,3,224,224]``; ``[2,S,128]`` for a state batched on axis 1), or S samples on a new leading
axis. An input with no batch axis takes one array per sample, shaped as the input.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from autotune.core import BadInputError, InputInfo, fill_input, numpy_type

# Samples the accuracy guard runs on every trial: every user sample up to this many
# (--max-samples), else seeded random ones. An agreement rate needs hundreds: 32 of 32
# agreeing shows only ≥ 0.91 at 95 %, and showing ≥ 0.99 takes 299 (autotune.judge).
MAX_SAMPLES = 300
MAX_CALIBRATION_SAMPLES = 300  # NNCF's default subset size
RANDOM_SAMPLES = 8


def _as_samples(
    array: np.ndarray, shape: tuple[int, ...], axis: int | None, source: str
) -> list[np.ndarray]:
    """One file's array as samples of an input of ``shape`` batched on ``axis``."""
    if array.shape == shape:
        return [array]
    if axis is not None and shape[axis] == 1:
        without = shape[:axis] + shape[axis + 1 :]
        if array.shape == without:
            return [np.expand_dims(array, axis)]
        if array.ndim == len(shape) and array.shape[:axis] + array.shape[axis + 1 :] == without:
            return list(np.split(array, array.shape[axis], axis=axis))
    if array.ndim == len(shape) + 1 and array.shape[1:] == shape:
        return [array[i] for i in range(array.shape[0])]
    if axis is None:
        raise BadInputError(
            f"{source} has shape {list(array.shape)}, the input expects {list(shape)} (it has "
            "no batch axis: one array per sample, or a stack on a new leading axis)",
            "save samples shaped like the input",
        )
    raise BadInputError(
        f"{source} has shape {list(array.shape)}, the input expects {list(shape)} (batch axis "
        f"{axis})",
        "save samples shaped like the input, or without its batch axis",
    )


def _load(path: Path) -> np.ndarray | dict[str, np.ndarray]:
    try:
        if path.suffix == ".npz":
            with np.load(path, allow_pickle=False) as data:
                return {name: data[name] for name in data.files}
        return np.asarray(np.load(path, allow_pickle=False))
    except (ValueError, OSError) as exc:
        raise BadInputError(
            f"{path.name} is not a numpy file ({exc})", "save with numpy.save or numpy.savez"
        ) from None


def _from_npz(
    files: list[Path], inputs: tuple[InputInfo, ...], axes: dict[str, int]
) -> list[list[np.ndarray]]:
    samples = []
    for f in files:
        data = _load(f)
        assert isinstance(data, dict)
        missing = [i.name for i in inputs if i.name not in data]
        if missing:
            raise BadInputError(
                f"{f.name} has no array for input '{missing[0]}' (it has: "
                f"{', '.join(data) or 'none'})",
                "save one array per input name, e.g. np.savez(path, "
                + ", ".join(f"{i.name}=…" for i in inputs)
                + ")",
            )
        sample = []
        for info in inputs:
            assert info.shape is not None
            arrays = _as_samples(data[info.name], info.shape, axes.get(info.name), f.name)
            if len(arrays) != 1:
                raise BadInputError(
                    f"{f.name} holds {len(arrays)} samples for '{info.name}'",
                    "save one sample per .npz file",
                )
            sample.append(arrays[0])
        samples.append(sample)
    return samples


def load_samples(
    folder: str | Path,
    inputs: tuple[InputInfo, ...],
    limit: int = MAX_SAMPLES,
    axes: dict[str, int] | None = None,
) -> list[list[np.ndarray]]:
    """Samples as lists of arrays in input order; checked against the static input shapes and
    the batch axes (``axes``: input name → axis). At most ``limit`` (in file order): up to
    --max-samples judge accuracy, up to 300 calibrate a quantization."""
    axes = axes or {}
    directory = Path(folder)
    bundles = sorted(directory.glob("*.npz"))
    files = sorted(directory.glob("*.npy"))
    if not files and not bundles:
        raise BadInputError(
            f"--inputs folder '{folder}' holds no .npy or .npz file",
            "save samples with numpy.save (one input) or numpy.savez (one sample per file)",
        )
    if bundles:
        samples = _from_npz(bundles[:limit], inputs, axes)
        return [
            [
                a.astype(numpy_type(i.element_type), copy=False)
                for a, i in zip(s, inputs, strict=True)
            ]
            for s in samples
        ]
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
                    "name the files after the model's inputs, or save one .npz per sample",
                )
        arrays: list[np.ndarray] = []
        for f in chosen:
            data = _load(f)
            assert isinstance(data, np.ndarray)
            arrays.extend(_as_samples(data, info.shape, axes.get(info.name), f.name))
        dtype = numpy_type(info.element_type)
        per_input.append([a.astype(dtype, copy=False) for a in arrays])
    counts = {len(a) for a in per_input}
    if len(counts) != 1:
        raise BadInputError(
            "--inputs gives different sample counts per input",
            "give each input the same number of samples",
        )
    n = min(counts.pop(), limit)
    return [[per_input[i][s] for i in range(len(inputs))] for s in range(n)]


def random_samples(
    inputs: tuple[InputInfo, ...],
    count: int = RANDOM_SAMPLES,
    seed: int = 1234,
    shared: Sequence[str] = (),
) -> list[list[np.ndarray]]:
    """Seeded random samples, the same for every trial, filled by element type and role (ids
    below their table's size). The ``shared`` inputs (no batch axis: a batch takes one value
    for them) get the first sample's value in every sample; the others are distinct."""
    rng = np.random.default_rng(seed)
    samples: list[list[np.ndarray]] = []
    for s in range(count):
        sample = []
        for index, info in enumerate(inputs):
            assert info.shape is not None
            if s and info.name in shared:
                sample.append(samples[0][index])
                continue
            sample.append(
                fill_input(info.element_type, info.shape, rng, role=info.role, high=info.high)
            )
        samples.append(sample)
    return samples
