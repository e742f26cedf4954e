"""A compiled configuration ready to benchmark: compile, first inference, the request pool."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import openvino as ov

from autotune.core import (
    BATCH_DEVICE,
    DYNAMIC,
    BatchAxes,
    DeviceError,
    RuntimeConfig,
    ShapeMix,
    bucket_shapes,
    group_samples,
    policy_buckets,
    policy_shapes,
    split_outputs,
    stack_samples,
)
from autotune.runtime._buckets import BucketedModel, policy_models
from autotune.runtime._device import read_effective, to_runtime_properties
from autotune.runtime._errors import openvino_message
from autotune.runtime._feed import build_feed
from autotune.runtime._model import (
    input_name,
    input_roles,
    output_names,
    outputs_of,
    prepare_model,
    random_inputs,
    reshaped,
    shared_core,
)
from autotune.runtime._pipelines import AsyncPipeline, OpenLoopPool, SyncPipeline


def precision_cache_dir(cache_dir: str, properties: dict[str, str]) -> str:
    """One cache folder per requested inference precision.

    OpenVINO 2026.4.1's CPU cache key ignores INFERENCE_PRECISION_HINT: a blob compiled at f16
    is loaded for a later f32 (or bf16) request, and the compiled model still reports f32, so a
    search would silently measure the wrong precision (reproduced in tests/test_runtime.py).
    Streams, threads and hints are applied at load time and may share a blob.
    """
    precision = properties.get("INFERENCE_PRECISION_HINT", "default")
    folder = Path(cache_dir) / f"precision-{precision}"
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder)


class CompiledSession:
    """One configuration compiled on the real runtime, with its effective properties."""

    def __init__(
        self,
        model_path: str | ov.Model,
        shape: dict[str, list[int]] | None,
        config: RuntimeConfig,
        cache_dir: str | None = None,
        extra_properties: dict[str, Any] | None = None,
        batch_axes: BatchAxes | None = None,
        mix: ShapeMix | None = None,
        pad: dict[str, float] | None = None,
    ) -> None:
        self.config = config
        self.batch_axes = batch_axes or BatchAxes()
        self.mix = mix if mix is not None and mix.varies else None
        self._pad = dict(pad or {})
        if isinstance(model_path, ov.Model):
            model = model_path
        else:
            model = prepare_model(model_path, shape, config.batch, batch_axes)
        # A mix: one model per shape policy entry (one, or one per bucket), and the model with
        # its varying axes dynamic, whose shape inference gives an unpadded request's outputs.
        self._dynamic = model
        models = [model]
        if self.mix is not None:
            self._dynamic = reshaped(model, policy_shapes(self.mix, DYNAMIC)[0])
            models = policy_models(model, self.mix, config.shape_policy)
        self._roles = input_roles(model)
        self._outputs = output_names(model)
        properties = to_runtime_properties(config.properties())
        if cache_dir:
            properties["CACHE_DIR"] = precision_cache_dir(cache_dir, config.properties())
        properties.update(extra_properties or {})
        started = time.perf_counter()
        try:
            self.models = [
                shared_core().compile_model(m, config.target_device, properties) for m in models
            ]
        except Exception as exc:
            raise DeviceError(
                f"{config.target_device} refused the configuration {config.describe()!r}: "
                f"{openvino_message(exc)}",
                "drop the option it names or pick another device",
            ) from None
        self.compiled = self.models[0]
        self.bucketed = (
            BucketedModel(
                self.models,
                bucket_shapes(self.mix, policy_buckets(config.shape_policy)),
                self._pad,
                self._dynamic,
            )
            if self.mix is not None and policy_buckets(config.shape_policy)
            else None
        )
        self.compile_ms = (time.perf_counter() - started) * 1e3
        try:
            self.loaded_from_cache = bool(self.compiled.get_property("LOADED_FROM_CACHE"))
        except Exception:
            self.loaded_from_cache = False
        self.effective = replace(
            read_effective(
                self.compiled,
                config.target_device,
                config.batch,
                config.infer_requests,
                config.request_multiplier,
                config.auto_batch_size,
            ),
            variant=config.variant,
            shape_policy=(config.shape_policy or DYNAMIC) if self.mix is not None else None,
        )
        self.feed = build_feed(
            self._dynamic,
            self._roles,
            self.mix,
            config.shape_policy,
            self._pad,
            [] if self.mix is not None else random_inputs(self.compiled, self._roles),
        )
        self.pipeline: SyncPipeline | AsyncPipeline = (
            SyncPipeline(self.models, config.batch, self.feed)
            if self.effective.infer_requests == 1
            else AsyncPipeline(self.models, self.effective.infer_requests, config.batch, self.feed)
        )
        self._check_request: ov.InferRequest | None = None

    def open_pool(self) -> OpenLoopPool:
        """The same number of infer requests, for open-loop load."""
        return OpenLoopPool(self.models, self.effective.infer_requests, self.feed)

    def first_inference_ms(self) -> float:
        """The first inference after compile, measured apart (benchmark_app reports it so)."""
        started = time.perf_counter()
        self.pipeline.infer_once()
        return (time.perf_counter() - started) * 1e3

    def infer_samples(self, samples: list[list[np.ndarray]]) -> list[dict[str, np.ndarray]]:
        """Each sample's outputs, on requests apart from the benchmark pool, computed the way
        this config computes them: a batched config takes distinct samples stacked along the
        model's batch axes and its outputs are cut back along theirs; the BATCH device gets
        distinct concurrent requests (so it really batches them)."""
        if not samples:
            return []
        size = self.config.batch
        auto = self.effective.properties.get("AUTO_BATCHING") != "inactive" and (
            self.config.target_device.startswith(BATCH_DEVICE)
        )
        if auto:
            return self._concurrent(samples, self.config.auto_batch_size or 1)
        if self.bucketed is not None:  # padded up to its bucket, outputs cut back
            return [self.bucketed.infer(sample) for sample in samples]
        if self.mix is not None:  # each sample at its own shape
            return [self._infer(sample) for sample in samples]
        if size == self.batch_axes.batch:
            return [self._infer(sample) for sample in samples]
        names = [input_name(p, i) for i, p in enumerate(self.compiled.inputs)]
        axes = self.batch_axes.inputs
        out: dict[int, dict[str, np.ndarray]] = {}
        for group in group_samples(samples, names, axes, size):
            stacked = stack_samples([samples[s] for s in group], names, axes)
            parts = split_outputs(self._infer(stacked), self.batch_axes.outputs, size)
            for index, part in zip(group, parts, strict=True):
                out.setdefault(index, part)
        return [out[s] for s in range(len(samples))]

    def _infer(self, arrays: list[np.ndarray]) -> dict[str, np.ndarray]:
        if self._check_request is None:
            self._check_request = self.compiled.create_infer_request()
        request = self._check_request
        for index, array in enumerate(arrays):
            request.set_input_tensor(index, ov.Tensor(np.asarray(array, order="C")))
        request.infer()
        return outputs_of(request, self._outputs)

    def _concurrent(
        self, samples: list[list[np.ndarray]], size: int
    ) -> list[dict[str, np.ndarray]]:
        """Samples as concurrent requests, ``size`` in flight at a time. No Python callback:
        an OpenVINO thread waiting for the GIL while the compiled model is destroyed would
        deadlock (seen with the BATCH device)."""
        requests = [self.compiled.create_infer_request() for _ in range(max(1, size))]
        out: list[dict[str, np.ndarray]] = []
        for start in range(0, len(samples), len(requests)):
            chunk = samples[start : start + len(requests)]
            for request, sample in zip(requests, chunk, strict=False):
                for index, array in enumerate(sample):
                    request.set_input_tensor(index, ov.Tensor(np.asarray(array, order="C")))
                request.start_async()
            for request in requests[: len(chunk)]:
                request.wait()
                out.append(outputs_of(request, self._outputs))
        return out

    def profile(self, iterations: int) -> list[dict[str, object]]:
        """Per-layer counters (needs PERF_COUNT=YES), averaged over ``iterations`` inferences."""
        request = self.models[self.feed.buckets[0]].create_infer_request()
        for index, array in enumerate(self.feed.arrays[0]):
            request.set_input_tensor(index, ov.Tensor(array))
        for _ in range(3):
            request.infer()  # warm-up, not counted
        meta: dict[str, tuple[str, str, str]] = {}
        real: dict[str, float] = {}
        cpu: dict[str, float] = {}
        for _ in range(iterations):
            request.infer()
            for info in request.profiling_info:
                meta[info.node_name] = (
                    info.node_type,
                    info.exec_type,
                    str(info.status).rsplit(".", 1)[-1],
                )
                real[info.node_name] = (
                    real.get(info.node_name, 0.0) + info.real_time.total_seconds() * 1e3
                )
                cpu[info.node_name] = (
                    cpu.get(info.node_name, 0.0) + info.cpu_time.total_seconds() * 1e3
                )
        return [
            {
                "name": name,
                "type": kind,
                "exec_type": exec_type,
                "status": status,
                "real_ms": real[name] / iterations,
                "cpu_ms": cpu[name] / iterations,
            }
            for name, (kind, exec_type, status) in meta.items()
        ]

    def close(self) -> None:
        self._check_request = None
        self.bucketed = None
        del self.pipeline
        del self.compiled
        self.models.clear()
