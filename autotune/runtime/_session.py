"""A compiled configuration ready to benchmark: compile, first inference, the request pool."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import openvino as ov

from autotune.core import DeviceError, RuntimeConfig
from autotune.runtime._completions import Completions
from autotune.runtime._device import read_effective, to_runtime_properties
from autotune.runtime._errors import openvino_message
from autotune.runtime._model import prepare_model, random_inputs, shared_core


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


def _outputs(request: ov.InferRequest) -> dict[str, np.ndarray]:
    return {
        (port.get_any_name() if port.get_names() else f"output{i}"): np.array(
            request.get_output_tensor(i).data
        )
        for i, port in enumerate(request.model_outputs)
    }


class SyncPipeline:
    """benchmark_app's latency mode (``-hint latency`` runs the sync API): one request and
    ``infer()`` in a loop. With a single request, the async API only adds a callback thread
    and a wake-up per inference, which on a 30 µs model costs more than the inference."""

    def __init__(self, compiled: ov.CompiledModel, frames_per_request: int):
        self._request = compiled.create_infer_request()
        self._inputs = random_inputs(compiled)
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

    def infer_once(self) -> dict[str, np.ndarray]:
        self._request.infer()
        return _outputs(self._request)


class AsyncPipeline:
    """benchmark_app's ``async_inference_only`` loop over an AsyncInferQueue.

    Inputs are set once per request as shared-memory tensors; latency is the runtime's own
    per-request figure (start → completion, queueing inside the plugin included), read from
    request handles fetched once, so the hot loop does no Python work the runtime can do.
    """

    def __init__(self, compiled: ov.CompiledModel, requests: int, frames_per_request: int):
        self._queue = ov.AsyncInferQueue(compiled, requests)
        self._inputs = random_inputs(compiled)
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

    def infer_once(self) -> dict[str, np.ndarray]:
        """One synchronous inference on request 0 (pipeline must be idle)."""
        request = self._slots[0]
        request.infer()
        return _outputs(request)


class OpenLoopPool:
    """Infer requests for open-loop load (the server scenario): started one job at a time on a
    request the dispatcher names; each completion is time-stamped in OpenVINO's callback
    thread and handed to the dispatcher, which blocks until one arrives or its next arrival
    is due (:func:`autotune.measure.run_load`)."""

    def __init__(self, compiled: ov.CompiledModel, requests: int):
        self._requests = [compiled.create_infer_request() for _ in range(requests)]
        # Shared-memory tensors do not own their arrays: keep both alive as long as the pool.
        self._inputs = random_inputs(compiled)
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
    ) -> None:
        self.config = config
        if isinstance(model_path, ov.Model):
            model = model_path
        else:
            model = prepare_model(model_path, shape, config.batch if config.batch != 1 else None)
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
        self.pipeline: SyncPipeline | AsyncPipeline = (
            SyncPipeline(self.compiled, frames_per_request=config.batch)
            if self.effective.infer_requests == 1
            else AsyncPipeline(
                self.compiled, self.effective.infer_requests, frames_per_request=config.batch
            )
        )
        self._check_request: ov.InferRequest | None = None

    def open_pool(self) -> OpenLoopPool:
        """The same number of infer requests, for open-loop load."""
        return OpenLoopPool(self.compiled, self.effective.infer_requests)

    def first_inference_ms(self) -> float:
        """The first inference after compile, measured apart (benchmark_app reports it so)."""
        started = time.perf_counter()
        self.pipeline.infer_once()
        return (time.perf_counter() - started) * 1e3

    def infer(self, inputs: list[np.ndarray]) -> dict[str, np.ndarray]:
        """Run one sample (repeated along the batch axis when the config batches) on a request of
        its own, apart from the benchmark pool; outputs by name."""
        if self._check_request is None:
            self._check_request = self.compiled.create_infer_request()
        request = self._check_request
        for index, (port, array) in enumerate(zip(self.compiled.inputs, inputs, strict=True)):
            target = tuple(port.get_shape())
            if (
                array.shape != target
                and target
                and array.shape[0] * self.config.batch == target[0]
            ):
                array = np.concatenate([array] * self.config.batch, axis=0)
            request.set_input_tensor(index, ov.Tensor(np.ascontiguousarray(array)))
        request.infer()
        return _outputs(request)

    def profile(self, iterations: int) -> list[dict[str, object]]:
        """Per-layer counters (needs PERF_COUNT=YES), averaged over ``iterations`` inferences."""
        request = self.compiled.create_infer_request()
        for index, array in enumerate(random_inputs(self.compiled)):
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
