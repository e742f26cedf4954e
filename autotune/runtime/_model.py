"""Reading, checking, reshaping and describing models."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np
import openvino as ov

from autotune.core import InputInfo, ModelError, ModelInfo
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


def _input_name(port: ov.Output, index: int) -> str:
    names = port.get_names()
    return port.get_any_name() if names else f"input{index}"


def _hash_files(paths: list[Path]) -> str:
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


def describe_inputs(model: ov.Model) -> str:
    """``images: [?,3,?,?] f32; mask: [1,10] i64`` for error messages."""
    parts = []
    for i, port in enumerate(model.inputs):
        parts.append(f"{_input_name(port, i)}{port.get_partial_shape()} {port.get_element_type()}")
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
        shape = {_input_name(inputs[0], 0): shape}
    by_name: dict[str, tuple[int, ov.Output]] = {}
    for i, port in enumerate(inputs):
        for name in port.get_names() or {_input_name(port, i)}:
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
        resolved[_input_name(port, index)] = dims
    return resolved


def _reshaped(model: ov.Model, shape: dict[str, list[int]], batch: int | None) -> ov.Model:
    """A copy of ``model`` with ``shape`` applied and, if given, dimension 0 set to ``batch``."""
    copy = model.clone()
    target: dict[str, ov.PartialShape] = {}
    for i, port in enumerate(copy.inputs):
        name = _input_name(port, i)
        dims = list(shape[name]) if name in shape else None
        if dims is None:
            partial = port.get_partial_shape()
            if partial.is_dynamic:
                continue
            dims = [d.get_length() for d in partial]
        if batch is not None and dims:
            dims[0] = batch
        target[name] = ov.PartialShape(dims)
    if target:
        copy.reshape({copy.input(n): s for n, s in target.items()})
    return copy


def prepare_model(
    path: str | Path, shape: dict[str, list[int]] | None, batch: int | None = None
) -> ov.Model:
    """Read and reshape a model for one trial (the batch, if given, replaces dimension 0)."""
    model = read_model(path)
    if shape is None and batch in (None, 1) and not model.is_dynamic():
        return model
    return _reshaped(model, shape or {}, batch)


def _placeholder(index: int, dim: ov.Dimension, rank: int) -> str:
    """How an example --shape spells a dimension: static as is, batch 1, H/W for images."""
    if not dim.is_dynamic:
        return str(dim.get_length())
    if index == 0:
        return "1"
    if rank == 4 and index in (2, 3):
        return "HW"[index - 2]
    return f"D{index}"


def _batch_reshapable(model: ov.Model, shape: dict[str, list[int]]) -> bool:
    if any(port.get_partial_shape().rank.is_dynamic for port in model.inputs):
        return False
    if any(port.get_partial_shape().rank.get_length() == 0 for port in model.inputs):
        return False
    if all(port.get_partial_shape()[0].is_dynamic for port in model.inputs):
        return True
    try:
        _reshaped(model, shape, 2)
    except Exception:
        return False
    return True


def _flops(model: ov.Model) -> float | None:
    """Multiply-adds x2 of convolutions and matrix products (elementwise ops are not counted)."""
    macs = 0.0
    for node in model.get_ordered_ops():
        kind = node.get_type_name()
        if kind not in {"Convolution", "GroupConvolution", "MatMul", "ConvolutionBackpropData"}:
            continue
        out = node.get_output_partial_shape(0)
        w = node.get_input_partial_shape(1)
        if out.is_dynamic or w.is_dynamic:
            return None
        out_dims = [d.get_length() for d in out]
        w_dims = [d.get_length() for d in w]
        if kind == "Convolution":
            macs += math.prod(out_dims) * math.prod(w_dims[1:])
        elif kind == "GroupConvolution":
            macs += math.prod(out_dims) * math.prod(w_dims[2:])
        elif kind == "ConvolutionBackpropData":
            a = node.get_input_partial_shape(0)
            if a.is_dynamic:
                return None
            macs += math.prod(d.get_length() for d in a) * math.prod(w_dims[1:])
        else:
            a = node.get_input_partial_shape(0)
            if a.is_dynamic or len(a) == 0:
                return None
            attrs = node.get_attributes()
            k_dim = -2 if attrs.get("transpose_a") else -1
            k = a[k_dim].get_length() if len(a) > 1 else a[0].get_length()
            macs += math.prod(out_dims) * k
    return 2.0 * macs


def inspect_model(path: str | Path, shape: dict[str, list[int]] | list[int] | None) -> ModelInfo:
    """Read a model, fix its shape, and check it can be benchmarked as is.

    A dynamic model without ``--shape`` is an error that lists the inputs and their partial
    shapes, because autotune measures one concrete shape.
    """
    model = read_model(path)
    resolved = resolve_shape(model, shape)
    fixed = _reshaped(model, resolved, None) if resolved else model
    if fixed.is_dynamic():
        dynamic = [
            f"{_input_name(p, i)}{p.get_partial_shape()}"
            for i, p in enumerate(fixed.inputs)
            if p.get_partial_shape().is_dynamic
        ]
        example = ",".join(
            f"{_input_name(p, i)}[{','.join(_placeholder(k, d, p.get_partial_shape().rank.get_length()) for k, d in enumerate(p.get_partial_shape()))}]"
            for i, p in enumerate(fixed.inputs)
            if p.get_partial_shape().rank.is_static
        )
        raise ModelError(
            f"the model has dynamic input dimensions ({'; '.join(dynamic)})",
            f'fix them with --shape, e.g. --shape "{example}" (your sizes for the letters)',
        )
    inputs = tuple(
        InputInfo(
            name=_input_name(orig, i),
            partial_shape=str(orig.get_partial_shape()),
            element_type=orig.get_element_type().get_type_name(),
            shape=tuple(int(d) for d in new.get_shape()),
        )
        for i, (orig, new) in enumerate(zip(model.inputs, fixed.inputs, strict=True))
    )
    first = inputs[0].shape if inputs else None
    batch = int(first[0]) if first else 1
    paths = model_files(Path(path))
    return ModelInfo(
        path=str(Path(path).resolve()),
        inputs=inputs,
        outputs=tuple(_input_name(o, i) for i, o in enumerate(model.outputs)),
        shape=resolved,
        batch=batch,
        batch_reshapable=_batch_reshapable(model, resolved or {}),
        sha256=_hash_files(paths),
        flops=_flops(fixed),
    )


def random_inputs(model: ov.Model | ov.CompiledModel, seed: int = 0) -> list[np.ndarray]:
    """Random data of the right shape and dtype for every input (benchmark_app fills likewise)."""
    rng = np.random.default_rng(seed)
    arrays = []
    for port in model.inputs:
        dtype = port.get_element_type().to_dtype()
        shape = tuple(port.get_shape())
        if np.issubdtype(dtype, np.floating):
            arrays.append(rng.random(shape, dtype=np.float32).astype(dtype))
        elif dtype == np.bool_:
            arrays.append(rng.integers(0, 2, shape).astype(np.bool_))
        else:
            arrays.append(rng.integers(0, 10, shape).astype(dtype))
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
