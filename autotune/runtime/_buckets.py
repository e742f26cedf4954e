"""A model compiled for a mix of shapes under a policy: one compiled model (dynamic, or its
varying axes bounded), or one per bucket behind a dispatcher that pads a request up to the
smallest bucket it fits and cuts the outputs back to what the unpadded request gives."""

from __future__ import annotations

from typing import Any

import numpy as np
import openvino as ov

from autotune.core import (
    DYNAMIC,
    ShapeMix,
    bucket_of,
    bucket_shapes,
    policy_buckets,
    policy_shapes,
)
from autotune.runtime._feed import pad_to
from autotune.runtime._model import input_name, output_names, outputs_of, reshaped, shared_core


class BucketedModel:
    """k compiled static models and the dispatch between them: what ``compile_model`` returns
    for a bucket policy. ``infer({name: array})`` takes any shape of the mix."""

    def __init__(
        self,
        compiled: list[ov.CompiledModel],
        buckets: list[dict[str, list[int]]],
        pad: dict[str, float],
        dynamic: ov.Model,
    ) -> None:
        self.models = compiled
        self.buckets = buckets
        self.pad = pad
        self._dynamic = dynamic
        self.input_names = [input_name(p, i) for i, p in enumerate(dynamic.inputs)]
        self.output_names = output_names(dynamic)
        self._requests: dict[int, ov.InferRequest] = {}
        self._output_shapes: dict[str, list[list[int]]] = {}

    def bucket(self, shapes: dict[str, list[int]]) -> int:
        """The bucket (compiled model) a request of ``shapes`` runs on."""
        return bucket_of(shapes, self.buckets)

    def output_shapes(self, shapes: dict[str, list[int]]) -> list[list[int]]:
        """The outputs' shapes for an unpadded request of ``shapes`` (shape inference on the
        dynamic model, once per shape)."""
        key = repr(sorted(shapes.items()))
        if key not in self._output_shapes:
            model = reshaped(self._dynamic, shapes)
            self._output_shapes[key] = [
                [d.get_length() for d in o.get_partial_shape()] for o in model.outputs
            ]
        return self._output_shapes[key]

    def infer(self, inputs: dict[str, Any] | list[Any]) -> dict[str, np.ndarray]:
        """One request: padded up to its bucket, run there, each output cut back to the shape
        the model gives the unpadded request (from index 0 on every axis)."""
        arrays = (
            [np.asarray(inputs[n]) for n in self.input_names]
            if isinstance(inputs, dict)
            else [np.asarray(a) for a in inputs]
        )
        shapes = {n: list(a.shape) for n, a in zip(self.input_names, arrays, strict=True)}
        index = self.bucket(shapes)
        padded = [
            pad_to(a, self.buckets[index][n], self.pad.get(n, 0.0))
            for n, a in zip(self.input_names, arrays, strict=True)
        ]
        if index not in self._requests:
            self._requests[index] = self.models[index].create_infer_request()
        request = self._requests[index]
        for slot, array in enumerate(padded):
            request.set_input_tensor(slot, ov.Tensor(np.asarray(array, order="C")))
        request.infer()
        out = outputs_of(request, self.output_names)
        for name, target in zip(self.output_names, self.output_shapes(shapes), strict=True):
            out[name] = out[name][tuple(slice(0, t) for t in target)]
        return out


def policy_models(model: ov.Model, mix: ShapeMix, policy: str | None) -> list[ov.Model]:
    """The model(s) a policy compiles: one (varying axes dynamic or bounded), or one per
    bucket."""
    return [reshaped(model, shapes) for shapes in policy_shapes(mix, policy or DYNAMIC)]


def compile_for_mix(
    model: ov.Model,
    mix: ShapeMix,
    policy: str | None,
    pad: dict[str, float] | None,
    device: str,
    properties: dict[str, Any],
) -> ov.CompiledModel | BucketedModel:
    """Compile ``model`` for the traffic's mix under ``policy``: a CompiledModel that takes every
    shape of the mix (dynamic, bounded), or a :class:`BucketedModel` (buckets)."""
    core = shared_core()
    compiled = [
        core.compile_model(m, device, properties) for m in policy_models(model, mix, policy)
    ]
    if not policy_buckets(policy):
        return compiled[0]
    dynamic = reshaped(model, policy_shapes(mix, DYNAMIC)[0])
    return BucketedModel(
        compiled, bucket_shapes(mix, policy_buckets(policy)), dict(pad or {}), dynamic
    )
