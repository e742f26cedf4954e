"""What autotune needs to know about a model before it benchmarks it: its static shape, the
role of each input, where its batch lives (proven), and its arithmetic."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import openvino as ov

from autotune.core import MIX_SOURCE, BatchAxes, InputInfo, ModelError, ModelInfo, ShapeMix
from autotune.runtime._batch import find_batch_axes
from autotune.runtime._model import (
    describe_inputs,
    hash_files,
    input_name,
    input_roles,
    model_files,
    output_name,
    read_model,
    reshaped,
    resolve_shape,
)


def _placeholder(index: int, dim: ov.Dimension, rank: int) -> str:
    """How an example --shape spells a dimension: static as is, batch 1, H/W for images."""
    if not dim.is_dynamic:
        return str(dim.get_length())
    if index == 0:
        return "1"
    if rank == 4 and index in (2, 3):
        return "HW"[index - 2]
    return f"D{index}"


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


def inspect_model(
    path: str | Path,
    shape: dict[str, list[int]] | list[int] | None,
    *,
    layouts: dict[str, str] | None = None,
    batch_sizes: Sequence[int] = (2,),
    device: str = "CPU",
    auto_batch: bool = True,
    mix: ShapeMix | None = None,
) -> ModelInfo:
    """Read a model, fix its shape, find and prove its batch axes, and check it can be
    benchmarked as is.

    A dynamic model without ``--shape`` is an error that lists the inputs and their partial
    shapes, because autotune measures one concrete shape. ``layouts`` is ``--layout`` parsed;
    ``batch_sizes`` are the batch sizes a search may try (each is verified in f32 on
    ``device``, and the BATCH device too when ``auto_batch``).
    """
    model = read_model(path)
    if mix is not None and mix.varies:
        return _inspect_mix(path, model, mix)
    resolved = resolve_shape(model, shape)
    fixed = reshaped(model, resolved) if resolved else model
    if fixed.is_dynamic():
        dynamic = [
            f"{input_name(p, i)}{p.get_partial_shape()}"
            for i, p in enumerate(fixed.inputs)
            if p.get_partial_shape().is_dynamic
        ]
        example = ",".join(
            f"{input_name(p, i)}[{','.join(_placeholder(k, d, p.get_partial_shape().rank.get_length()) for k, d in enumerate(p.get_partial_shape()))}]"
            for i, p in enumerate(fixed.inputs)
            if p.get_partial_shape().rank.is_static
        )
        raise ModelError(
            f"the model has dynamic input dimensions ({'; '.join(dynamic)})",
            f'fix them with --shape, e.g. --shape "{example}" (your sizes for the letters)',
        )
    roles = input_roles(fixed)
    inputs = _input_infos(model, fixed, roles)
    base = {i.name: list(i.shape or ()) for i in inputs}
    axes = find_batch_axes(
        model,
        base,
        declared=layouts,
        sizes=batch_sizes,
        device=device,
        auto_batch=auto_batch,
    )
    paths = model_files(Path(path))
    return ModelInfo(
        path=str(Path(path).resolve()),
        inputs=inputs,
        outputs=tuple(output_name(o, i) for i, o in enumerate(model.outputs)),
        shape=resolved,
        batch=axes.batch,
        batch_axes=axes,
        sha256=hash_files(paths),
        flops=_flops(fixed),
    )


def resolve_mix(model: ov.Model, mix: ShapeMix) -> ShapeMix:
    """``mix`` with its inputs named as the model names them, checked against the model: ranks,
    static sizes, and every varying axis dynamic in the model."""
    names = [input_name(p, i) for i, p in enumerate(model.inputs)]
    patterns = []
    for pattern, weight in mix.patterns:
        if "" in pattern:
            if len(names) != 1:
                raise ModelError(
                    f"--shape gives one unnamed shape but the model has {len(names)} inputs "
                    f"({describe_inputs(model)})",
                    'name each input, e.g. --shape "a[1,3,96..512],b[1,5]"',
                )
            pattern = {names[0]: pattern[""]}
        patterns.append((pattern, weight))
    named = ShapeMix(tuple(patterns), mix.source)
    low, high = named.bounds_by_input()
    for i, port in enumerate(model.inputs):
        name = names[i]
        partial = port.get_partial_shape()
        if name not in low:
            if partial.is_dynamic:
                raise ModelError(
                    f"input '{name}' {partial} is dynamic and the shapes given do not set it",
                    f'give its shape too, e.g. --shape "…,{name}[…]"',
                )
            continue
        if partial.rank.is_static and partial.rank.get_length() != len(low[name]):
            raise ModelError(
                f"the shapes give input '{name}' rank {len(low[name])}, the model expects "
                f"rank {partial.rank.get_length()} ({partial})",
                f"give {partial.rank.get_length()} dimensions for '{name}'",
            )
        for axis, (a, b) in enumerate(zip(low[name], high[name], strict=True)):
            dim = partial[axis]
            if a != b and dim.is_static:
                raise ModelError(
                    f"the shapes vary axis {axis} of '{name}' ({a}..{b}) but the model fixes it "
                    f"at {dim.get_length()}",
                    "keep that axis at the model's size",
                )
            if not (dim.compatible(ov.Dimension(a)) and dim.compatible(ov.Dimension(b))):
                raise ModelError(
                    f"the shapes give axis {axis} of '{name}' sizes {a}..{b}, outside the "
                    f"model's {partial}",
                    "keep the sizes within the model's own bounds",
                )
    unknown = [n for n in low if n not in names]
    if unknown:
        raise ModelError(
            f"the shapes name input '{unknown[0]}', which the model does not have",
            f"the model's inputs are: {describe_inputs(model)}",
        )
    return named


def _inspect_mix(path: str | Path, model: ov.Model, mix: ShapeMix) -> ModelInfo:
    """A model measured over a mix of shapes: each input at the mix's median for what needs one
    shape (roles, FLOPs), the mix itself for every request. Requests of varying shapes run one
    at a time: batch is not searched."""
    mix = resolve_mix(model, mix)
    middle = mix.representative()
    fixed = reshaped(model, middle)
    roles = input_roles(fixed)
    inputs = _input_infos(model, fixed, roles)
    varying = ", ".join(f"{n}{axes}" for n, axes in mix.varying_axes().items())
    return ModelInfo(
        path=str(Path(path).resolve()),
        inputs=inputs,
        outputs=tuple(output_name(o, i) for i, o in enumerate(model.outputs)),
        shape=None,
        batch=1,
        batch_axes=BatchAxes(
            source=MIX_SOURCE,
            reason=f"the traffic's shapes vary ({varying}): requests run one at a time",
        ),
        sha256=hash_files(model_files(Path(path))),
        flops=_flops(fixed),
        mix=mix,
    )


def _input_infos(
    model: ov.Model, fixed: ov.Model, roles: dict[str, tuple[str, int | None]]
) -> tuple[InputInfo, ...]:
    """Each input as the model declares it, at the static shape of ``fixed`` (the model
    reshaped to what is measured), with its role."""
    return tuple(
        InputInfo(
            name=input_name(orig, i),
            partial_shape=str(orig.get_partial_shape()),
            element_type=orig.get_element_type().get_type_name(),
            shape=tuple(int(d) for d in new.get_shape()),
            role=roles[input_name(orig, i)][0],
            high=roles[input_name(orig, i)][1],
        )
        for i, (orig, new) in enumerate(zip(model.inputs, fixed.inputs, strict=True))
    )
