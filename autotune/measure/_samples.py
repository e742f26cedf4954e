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

from autotune.core import BadInputError, InputInfo, ShapeMix, fill_input, numpy_type

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
    mix: ShapeMix | None = None,
) -> list[list[np.ndarray]]:
    """Samples as lists of arrays in input order; checked against the static input shapes and
    the batch axes (``axes``: input name → axis). At most ``limit`` (in file order): up to
    --max-samples judge accuracy, up to 300 calibrate a quantization. With a ``mix`` of
    shapes, each array is one sample at its own shape (checked against the mix's bounds)."""
    axes = axes or {}
    if mix is not None and mix.varies:
        return _varying_samples(Path(folder), inputs, limit, mix)
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
    mix: ShapeMix | None = None,
) -> list[list[np.ndarray]]:
    """Seeded random samples, the same for every trial, filled by element type and role (ids
    below their table's size), at shapes drawn from ``mix`` when there is one. The ``shared``
    inputs (no batch axis: a batch takes one value for them) get the first sample's value in
    every sample; the others are distinct."""
    rng = np.random.default_rng(seed)
    varies = mix is not None and mix.varies
    shapes = mix.sequence(seed=seed, length=count) if mix is not None and varies else None
    samples: list[list[np.ndarray]] = []
    for s in range(count):
        sample = []
        for index, info in enumerate(inputs):
            assert info.shape is not None
            if s and info.name in shared:
                sample.append(samples[0][index])
                continue
            shape = shapes[s][info.name] if shapes is not None else info.shape
            sample.append(
                fill_input(info.element_type, shape, rng, role=info.role, high=info.high)
            )
        samples.append(sample)
    return samples


def _fits(array: np.ndarray, low: list[int], high: list[int]) -> bool:
    return array.ndim == len(low) and all(
        a <= s <= b for s, a, b in zip(array.shape, low, high, strict=True)
    )


def _varying_samples(
    folder: Path, inputs: tuple[InputInfo, ...], limit: int, mix: ShapeMix
) -> list[list[np.ndarray]]:
    """Samples of a mix: one sample per file (``.npz`` with every input, or ``.npy`` for a
    single input), each at its own shape within the mix's bounds."""
    low, high = mix.bounds_by_input()
    bundles = sorted(folder.glob("*.npz"))
    files = bundles or sorted(folder.glob("*.npy"))
    if not files:
        raise BadInputError(
            f"--inputs folder '{folder}' holds no .npy or .npz file",
            "save one sample per file with numpy.save (one input) or numpy.savez",
        )
    if not bundles and len(inputs) != 1:
        raise BadInputError(
            "a model with several inputs and shapes that vary needs one .npz per sample",
            "save each sample with numpy.savez(path, "
            + ", ".join(f"{i.name}=…" for i in inputs)
            + ")",
        )
    samples = []
    for f in files[:limit]:
        data = _load(f)
        arrays = data if isinstance(data, dict) else {inputs[0].name: data}
        sample = []
        for info in inputs:
            array = arrays.get(info.name)
            if array is None:
                raise BadInputError(
                    f"{f.name} has no array for input '{info.name}'",
                    "save one array per input name",
                )
            if not _fits(array, low[info.name], high[info.name]):
                raise BadInputError(
                    f"{f.name} has shape {list(array.shape)} for '{info.name}', outside the "
                    f"shapes the search measures ({low[info.name]} to {high[info.name]})",
                    "widen --shape's ranges, or drop --shape to take the samples' own shapes",
                )
            sample.append(array.astype(numpy_type(info.element_type), copy=False))
        samples.append(sample)
    return samples


def sample_shapes(folder: str | Path, names: list[str]) -> list[dict[str, list[int]]]:
    """Each sample's input shapes, read from the file headers (one sample per ``.npz`` file, or
    per ``.npy`` file for a single input): the traffic's own mix."""
    directory = Path(folder)
    bundles = sorted(directory.glob("*.npz"))
    out = []
    for f in bundles or sorted(directory.glob("*.npy")):
        data = _load(f)
        arrays = data if isinstance(data, dict) else {names[0]: data}
        out.append({n: list(arrays[n].shape) for n in names if n in arrays})
    return out
