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
    BatchAxes,
    DeviceError,
    RuntimeConfig,
    group_samples,
    split_outputs,
    stack_samples,
)
from autotune.runtime._completions import Completions
from autotune.runtime._device import read_effective, to_runtime_properties
from autotune.runtime._errors import openvino_message
from autotune.runtime._model import (
    input_name,
    input_roles,
    output_names,
    outputs_of,
    prepare_model,
    random_inputs,
    shared_core,
)


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


class SyncPipeline:
    """benchmark_app's latency mode (``-hint latency`` runs the sync API): one request and
    ``infer()`` in a loop. With a single request, the async API only adds a callback thread
    and a wake-up per inference, which on a 30 µs model costs more than the inference."""

    def __init__(
        self, compiled: ov.CompiledModel, frames_per_request: int, inputs: list[np.ndarray]
    ):
        self._request = compiled.create_infer_request()
        self._inputs = inputs
        for index, array in enumerate(self._inputs):
            self._request.set_input_tensor(index, ov.Tensor(array, shared_memory=True))
        self._frames = frames_per_request

    @property
    def requests(self) -> int:
        return 1

    @property
    def frames_per_request(self) -> int:
        return self._frames

    def start_next(self) -> float:
        """Run one inference; its latency as the runtime reports it (like benchmark_app)."""
        self._request.infer()
        return float(self._request.latency)

    def drain(self) -> list[float]:
        return []

    def infer_once(self) -> None:
        self._request.infer()


class AsyncPipeline:
    """benchmark_app's ``async_inference_only`` loop over an AsyncInferQueue.

    Inputs are set once per request as shared-memory tensors; latency is the runtime's own
    per-request figure (start → completion, queueing inside the plugin included), read from
    request handles fetched once, so the hot loop does no Python work the runtime can do.
    """

    def __init__(
        self,
        compiled: ov.CompiledModel,
        requests: int,
        frames_per_request: int,
        inputs: list[np.ndarray],
    ):
        self._queue = ov.AsyncInferQueue(compiled, requests)
        self._inputs = inputs
        self._tensors = [ov.Tensor(a, shared_memory=True) for a in self._inputs]
        self._slots = [self._queue[i] for i in range(requests)]
        for slot in self._slots:
            for index, tensor in enumerate(self._tensors):
                slot.set_input_tensor(index, tensor)
        self._in_flight: set[int] = set()
        self._requests = requests
        self._frames = frames_per_request

    @property
    def requests(self) -> int:
        return self._requests

    @property
    def frames_per_request(self) -> int:
        return self._frames

    def start_next(self) -> float | None:
        idle = self._queue.get_idle_request_id()
        latency: float | None = None
        if idle in self._in_flight:
            latency = self._slots[idle].latency
        else:
            self._in_flight.add(idle)
        self._queue.start_async()
        return latency

    def drain(self) -> list[float]:
        self._queue.wait_all()
        latencies = [float(self._slots[i].latency) for i in self._in_flight]
        self._in_flight.clear()
        return latencies

    def infer_once(self) -> None:
        """One synchronous inference on request 0 (pipeline must be idle)."""
        request = self._slots[0]
        request.infer()


class OpenLoopPool:
    """Infer requests for open-loop load (the server scenario): started one job at a time on a
    request the dispatcher names; each completion is time-stamped in OpenVINO's callback
    thread and handed to the dispatcher, which blocks until one arrives or its next arrival
    is due (:func:`autotune.measure.run_load`)."""

    def __init__(self, compiled: ov.CompiledModel, requests: int, inputs: list[np.ndarray]):
        self._requests = [compiled.create_infer_request() for _ in range(requests)]
        # Shared-memory tensors do not own their arrays: keep both alive as long as the pool.
        self._inputs = inputs
        self._tensors = [ov.Tensor(a, shared_memory=True) for a in self._inputs]
        self._completions = Completions()
        for slot, request in enumerate(self._requests):
            for index, tensor in enumerate(self._tensors):
                request.set_input_tensor(index, tensor)
            request.set_callback(self._completed, slot)

    def _completed(self, slot: int) -> None:
        self._completions.post(slot, time.perf_counter())

    @property
    def size(self) -> int:
        return len(self._requests)

    def start(self, slot: int) -> None:
        self._requests[slot].start_async()

    def wait(self, deadline: float) -> list[tuple[int, float]]:
        return self._completions.wait(deadline)


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
    ) -> None:
        self.config = config
        self.batch_axes = batch_axes or BatchAxes()
        if isinstance(model_path, ov.Model):
            model = model_path
        else:
            model = prepare_model(model_path, shape, config.batch, batch_axes)
        self._roles = input_roles(model)
        self._outputs = output_names(model)
        properties = to_runtime_properties(config.properties())
        if cache_dir:
            properties["CACHE_DIR"] = precision_cache_dir(cache_dir, config.properties())
        properties.update(extra_properties or {})
        started = time.perf_counter()
        try:
            self.compiled = shared_core().compile_model(model, config.target_device, properties)
        except Exception as exc:
            raise DeviceError(
                f"{config.target_device} refused the configuration {config.describe()!r}: "
                f"{openvino_message(exc)}",
                "drop the option it names or pick another device",
            ) from None
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
        )
        inputs = random_inputs(self.compiled, self._roles)
        self.pipeline: SyncPipeline | AsyncPipeline = (
            SyncPipeline(self.compiled, config.batch, inputs)
            if self.effective.infer_requests == 1
            else AsyncPipeline(self.compiled, self.effective.infer_requests, config.batch, inputs)
        )
        self._check_request: ov.InferRequest | None = None

    def open_pool(self) -> OpenLoopPool:
        """The same number of infer requests, for open-loop load."""
        return OpenLoopPool(
            self.compiled,
            self.effective.infer_requests,
            random_inputs(self.compiled, self._roles),
        )

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
        request = self.compiled.create_infer_request()
        for index, array in enumerate(random_inputs(self.compiled, self._roles)):
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
        del self.pipeline
        del self.compiled
