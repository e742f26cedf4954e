"""Reading, checking, reshaping and describing models."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import openvino as ov

from autotune.core import BatchAxes, ModelError, fill_input
from autotune.runtime._errors import openvino_message, quiet_stderr

_CORE: ov.Core | None = None
# Models are read once per process; trials reshape a clone, compile_model does not mutate them.
_READ_CACHE: dict[tuple[str, int, int], ov.Model] = {}


def shared_core() -> ov.Core:
    """One Core per process: creating it loads plugins (~50 ms), reading models needs it."""
    global _CORE
    if _CORE is None:
        _CORE = ov.Core()
    return _CORE


def input_name(port: ov.Output, index: int) -> str:
    """An input's name as autotune writes it (``input3`` for an input without one)."""
    return port.get_any_name() if port.get_names() else f"input{index}"


def output_name(port: ov.Output, index: int) -> str:
    """An output's name as autotune writes it (``output2`` for an output without one)."""
    return port.get_any_name() if port.get_names() else f"output{index}"


def output_names(model: ov.Model) -> list[str]:
    """The outputs' names, read from the model as the user gave it: a compiled model may add
    tensor names to a port (fused nodes), so naming results by the compiled ports would give
    one output different names in different configs."""
    return [output_name(port, i) for i, port in enumerate(model.outputs)]


def outputs_of(request: ov.InferRequest, names: list[str]) -> dict[str, np.ndarray]:
    """A finished request's outputs, copied, by the model's own output names (by index)."""
    return {name: np.array(request.get_output_tensor(i).data) for i, name in enumerate(names)}


def hash_files(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def model_files(path: Path) -> list[Path]:
    """The files that make up a model: ``x.xml`` + ``x.bin`` for IR, the file itself otherwise."""
    if path.suffix.lower() == ".xml":
        weights = path.with_suffix(".bin")
        return [path, weights] if weights.exists() else [path]
    return [path]


def _looks_like_ir(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    return b"<net" in head


# What OpenVINO's frontends read from a single file (IR, ONNX, TensorFlow Lite, TensorFlow
# frozen graph, PaddlePaddle).
MODEL_SUFFIXES = (".xml", ".onnx", ".tflite", ".pb", ".pdmodel")


def read_model(path: str | Path) -> ov.Model:
    """Read an IR/ONNX model, turning every failure into one line with a fix."""
    model_path = Path(path)
    if not model_path.exists():
        raise ModelError(f"model file '{path}' does not exist", "check the path")
    if model_path.is_dir():
        raise ModelError(f"'{path}' is a folder, not a model file", "pass the .xml or .onnx file")
    if model_path.suffix.lower() == ".bin":
        raise ModelError(
            f"'{path}' is the weights file of an IR model", "pass the .xml file beside it"
        )
    if model_path.suffix.lower() not in MODEL_SUFFIXES:
        raise ModelError(
            f"'{path}' is not a model format OpenVINO reads ({model_path.suffix or 'no suffix'})",
            "pass an OpenVINO IR .xml (with its .bin), or an .onnx, .tflite, .pb or .pdmodel file",
        )
    weights = model_path.with_suffix(".bin")
    missing_weights = model_path.suffix.lower() == ".xml" and not weights.exists()
    if missing_weights and not _looks_like_ir(model_path):
        raise ModelError(
            f"OpenVINO cannot read '{path}' as a model (no <net> element: not an IR file)",
            "pass an OpenVINO IR .xml (with its .bin) or an .onnx file",
        )
    stat = model_path.stat()
    cache_key = (str(model_path.resolve()), stat.st_mtime_ns, stat.st_size)
    if cache_key in _READ_CACHE:
        return _READ_CACHE[cache_key]
    try:
        with quiet_stderr():
            model = shared_core().read_model(str(model_path))
    except Exception as exc:  # openvino raises RuntimeError/GeneralFailure with long texts
        if missing_weights:
            raise ModelError(
                f"weights file '{weights.name}' is missing beside '{model_path.name}'",
                "keep the .bin next to the .xml with the same name",
            ) from None
        raise ModelError(
            f"OpenVINO cannot read '{path}' as a model ({openvino_message(exc, 160)})",
            "pass an OpenVINO IR .xml (with its .bin) or an .onnx file",
        ) from None
    _READ_CACHE.clear()  # keep one model: a worker benchmarks one model at a time
    _READ_CACHE[cache_key] = model
    return model


def input_names(path: str | Path) -> tuple[list[str], bool]:
    """A model file's input names, and whether any input is dynamic."""
    model = read_model(path)
    names = [input_name(p, i) for i, p in enumerate(model.inputs)]
    return names, any(p.get_partial_shape().is_dynamic for p in model.inputs)


def describe_inputs(model: ov.Model) -> str:
    """``images: [?,3,?,?] f32; mask: [1,10] i64`` for error messages."""
    parts = []
    for i, port in enumerate(model.inputs):
        parts.append(f"{input_name(port, i)}{port.get_partial_shape()} {port.get_element_type()}")
    return "; ".join(parts)


def resolve_shape(
    model: ov.Model, shape: dict[str, list[int]] | list[int] | None
) -> dict[str, list[int]] | None:
    """Match a parsed ``--shape`` to the model's inputs and check names, ranks and dims."""
    if shape is None:
        return None
    inputs = list(model.inputs)
    if isinstance(shape, list):
        if len(inputs) != 1:
            raise ModelError(
                f"--shape gives one unnamed shape but the model has {len(inputs)} inputs "
                f"({describe_inputs(model)})",
                'name each input, e.g. --shape "a[1,3,224,224],b[1,10]"',
            )
        shape = {input_name(inputs[0], 0): shape}
    by_name: dict[str, tuple[int, ov.Output]] = {}
    for i, port in enumerate(inputs):
        for name in port.get_names() or {input_name(port, i)}:
            by_name[name] = (i, port)
    resolved: dict[str, list[int]] = {}
    for name, dims in shape.items():
        if name not in by_name:
            raise ModelError(
                f"--shape names input '{name}', which the model does not have",
                f"the model's inputs are: {describe_inputs(model)}",
            )
        index, port = by_name[name]
        partial = port.get_partial_shape()
        if partial.rank.is_static and partial.rank.get_length() != len(dims):
            raise ModelError(
                f"--shape gives input '{name}' rank {len(dims)}, "
                f"the model expects rank {partial.rank.get_length()} ({partial})",
                f"give {partial.rank.get_length()} dimensions for '{name}'",
            )
        if not partial.compatible(ov.PartialShape(dims)):
            raise ModelError(
                f"--shape {name}{dims} does not fit the model's input {partial}",
                "keep the static dimensions as the model has them",
            )
        resolved[input_name(port, index)] = dims
    return resolved


def partial_shape(dims: Sequence[int | tuple[int, int]]) -> ov.PartialShape:
    """``[1, 3, -1, (96, 512)]`` → a PartialShape: -1 dynamic, (lo, hi) bounded."""
    return ov.PartialShape(
        [ov.Dimension(int(d[0]), int(d[1])) if isinstance(d, tuple) else int(d) for d in dims]
    )


def reshaped(model: ov.Model, shapes: Mapping[str, Sequence[int | tuple[int, int]]]) -> ov.Model:
    """A copy of ``model`` with the inputs named in ``shapes`` reshaped (the others keep
    their own shape); a dimension may be -1 (dynamic) or (lo, hi) (bounded)."""
    copy = model.clone()
    target = {}
    for i, port in enumerate(copy.inputs):
        name = input_name(port, i)
        if name in shapes:
            target[port] = partial_shape(shapes[name])
    if target:
        copy.reshape(target)
    return copy


def batch_shapes(
    model: ov.Model,
    shape: dict[str, list[int]] | None,
    batch: int | None,
    axes: BatchAxes | None,
) -> dict[str, list[int]]:
    """What to reshape for one trial: ``--shape``, and each batched input with its batch axis at
    ``batch``. Inputs without a batch axis, and those ``--shape`` did not set, keep their shape."""
    target = {k: list(v) for k, v in (shape or {}).items()}
    if batch is None or batch == (axes.batch if axes else 1):
        return target
    if axes is None or not axes.inputs:
        raise ValueError(f"batch {batch} asked of a model without batch axes")
    base = {
        input_name(port, i): target.get(input_name(port, i))
        or [d.get_length() for d in port.get_partial_shape()]
        for i, port in enumerate(model.inputs)
        if input_name(port, i) in axes.inputs
    }
    target.update(axes.shape_at(base, batch))
    return target


def prepare_model(
    path: str | Path,
    shape: dict[str, list[int]] | None,
    batch: int | None = None,
    axes: BatchAxes | None = None,
) -> ov.Model:
    """Read and reshape a model for one trial: ``--shape``, and the batch along the model's own
    batch axes (:class:`~autotune.core.BatchAxes`; never "dimension 0 of every input")."""
    model = read_model(path)
    target = batch_shapes(model, shape, batch, axes)
    return reshaped(model, target) if target else model


# Ops an index passes through unchanged on its way to a table lookup.
_PASS_THROUGH = {"Convert", "Reshape", "Squeeze", "Unsqueeze"}


def _table_size(port: ov.Output, depth: int = 0) -> int | None:
    """The size of the table an integer input indexes (a Gather on a constant), if it does."""
    for target in port.get_target_inputs():
        node = target.get_node()
        kind = node.get_type_name()
        if kind in _PASS_THROUGH and depth < 4:
            found = _table_size(node.output(0), depth + 1)
            if found:
                return found
        elif kind == "Gather" and target.get_index() == 1:
            table = node.input_value(0).get_partial_shape()
            axis_node = node.input_value(2).get_node()
            if table.rank.is_dynamic or axis_node.get_type_name() != "Constant":
                continue
            axis = int(np.asarray(axis_node.get_data()).reshape(-1)[0]) % table.rank.get_length()
            if table[axis].is_static:
                return int(table[axis].get_length())
    return None


def input_roles(model: ov.Model) -> dict[str, tuple[str, int | None]]:
    """Each input's role, read from the graph (see :mod:`autotune.core` DATA/IDS/STATE):
    integer indices into a constant table (with the table's size), a recurrent state (a float
    input that an output mirrors in shape and type, in a model with other inputs), or data."""
    outputs = {
        (str(o.get_partial_shape()), o.get_element_type().get_type_name()) for o in model.outputs
    }
    roles: dict[str, tuple[str, int | None]] = {}
    for i, port in enumerate(model.inputs):
        kind = port.get_element_type()
        signature = (str(port.get_partial_shape()), kind.get_type_name())
        if kind.is_integral_number() and not kind == ov.Type.boolean:
            size = _table_size(port)
            roles[input_name(port, i)] = ("ids", size) if size else ("data", None)
        elif kind.is_real() and len(model.inputs) > 1 and signature in outputs:
            roles[input_name(port, i)] = ("state", None)
        else:
            roles[input_name(port, i)] = ("data", None)
    return roles


def random_inputs(
    model: ov.Model | ov.CompiledModel,
    roles: dict[str, tuple[str, int | None]] | None = None,
    seed: int = 0,
    zero_state: bool = True,
) -> list[np.ndarray]:
    """Data for every input, by element type and role: random values (benchmark_app fills
    likewise), ids below their table's size, a state at zeros (``zero_state``: an
    application's first call, what speed is measured on)."""
    rng = np.random.default_rng(seed)
    arrays = []
    for i, port in enumerate(model.inputs):
        role, high = (roles or {}).get(input_name(port, i), ("data", None))
        arrays.append(
            fill_input(
                port.get_element_type().get_type_name(),
                list(port.get_shape()),
                rng,
                role=role,
                high=high,
                zero_state=zero_state,
            )
        )
    return arrays


def build_demo_model(path: str | Path, seed: int = 0) -> Path:
    """A small but real CNN: 8 conv/BN/ReLU blocks on 224×224, global pooling, a classifier,
    with a dynamic batch dimension. Saved as IR (``.xml`` + ``.bin``)."""
    import openvino.opset13 as ops

    rng = np.random.default_rng(seed)

    def block(x: ov.Node, cin: int, cout: int, stride: int) -> ov.Node:
        w = (rng.standard_normal((cout, cin, 3, 3)) * np.sqrt(2 / (cin * 9))).astype(np.float32)
        y = ops.convolution(x, ops.constant(w), [stride, stride], [1, 1], [1, 1], [1, 1])
        gamma = ops.constant(rng.uniform(0.5, 1.5, cout).astype(np.float32))
        beta = ops.constant((rng.standard_normal(cout) * 0.1).astype(np.float32))
        mean = ops.constant((rng.standard_normal(cout) * 0.1).astype(np.float32))
        var = ops.constant(rng.uniform(0.5, 1.5, cout).astype(np.float32))
        return ops.relu(ops.batch_norm_inference(y, gamma, beta, mean, var, 1e-5))

    image = ops.parameter(ov.PartialShape([-1, 3, 224, 224]), ov.Type.f32, name="images")
    image.output(0).set_names({"images"})
    x: ov.Node = image
    for cin, cout, stride in [
        (3, 24, 2),
        (24, 24, 1),
        (24, 48, 2),
        (48, 48, 1),
        (48, 96, 2),
        (96, 96, 1),
        (96, 192, 2),
        (192, 192, 1),
    ]:
        x = block(x, cin, cout, stride)
    pooled = ops.reduce_mean(x, ops.constant(np.array([2, 3], dtype=np.int64)), False)
    weights = ops.constant((rng.standard_normal((192, 10)) * 0.1).astype(np.float32))
    logits = ops.softmax(ops.matmul(pooled, weights, False, False), 1)
    logits.output(0).set_names({"scores"})
    model = ov.Model([logits], [image], "autotune_demo_cnn")
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    ov.save_model(model, str(out))
    return out


def build_matmul_model(size: int) -> ov.Model:
    """[size,size] × [size,size] with constant weights: the peak-throughput yardstick (2·size³
    FLOPs per inference)."""
    import openvino.opset13 as ops

    rng = np.random.default_rng(0)
    a = ops.parameter([size, size], ov.Type.f32, name="a")
    weights = ops.constant(rng.random((size, size), dtype=np.float32))
    return ov.Model([ops.matmul(a, weights, False, False)], [a], "peak_matmul")


def save_ir(source: str | Path, target_xml: str | Path) -> Path:
    """The model as OpenVINO IR at ``target_xml`` (with its .bin): an IR is copied as it is,
    another format (ONNX…) converted, keeping f32 weights (no f16 compression, so the served
    model computes what was measured)."""
    import shutil

    src, target = Path(source), Path(target_xml)
    target.parent.mkdir(parents=True, exist_ok=True)
    if src.suffix.lower() == ".xml":
        shutil.copyfile(src, target)
        shutil.copyfile(src.with_suffix(".bin"), target.with_suffix(".bin"))
    else:
        ov.save_model(read_model(src), str(target), compress_to_fp16=False)
    return target
