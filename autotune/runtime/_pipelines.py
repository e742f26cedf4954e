"""Request pools driven the way benchmark_app drives them: the sync loop, the async queue, and
the open-loop pool of the server scenario — over one compiled model, or one per bucket, fed a
:class:`~autotune.runtime._feed.Feed` (one static item, or a seeded mix of shapes)."""

from __future__ import annotations

import time
from collections import defaultdict

import openvino as ov

from autotune.runtime._completions import Completions
from autotune.runtime._feed import Feed


class _ShapeStats:
    """Latencies per request shape (a mix only): what the report shows per shape."""

    def __init__(self, feed: Feed) -> None:
        self._feed = feed
        self._next = 0
        self.by_label: dict[str, list[float]] = defaultdict(list)

    def take(self) -> int:
        """The next item of the feed (cycled)."""
        item = self._next
        self._next = (self._next + 1) % len(self._feed.arrays)
        return item

    def record(self, item: int, latency: float) -> None:
        if self._feed.varies:
            self.by_label[self._feed.labels[item]].append(latency)

    def reset(self) -> dict[str, list[float]]:
        """The latencies so far by shape, and start again (warm-up is not counted)."""
        taken, self.by_label = dict(self.by_label), defaultdict(list)
        return taken


def _set_inputs(request: ov.InferRequest, tensors: list[ov.Tensor]) -> None:
    for index, tensor in enumerate(tensors):
        request.set_input_tensor(index, tensor)


class SyncPipeline:
    """benchmark_app's latency mode (``-hint latency`` runs the sync API): one request and
    ``infer()`` in a loop. With a single request, the async API only adds a callback thread
    and a wake-up per inference, which on a 30 µs model costs more than the inference."""

    def __init__(self, compiled: list[ov.CompiledModel], frames_per_request: int, feed: Feed):
        self._requests = [c.create_infer_request() for c in compiled]
        self._feed = feed
        self.shapes = _ShapeStats(feed)
        if not feed.varies:
            _set_inputs(self._requests[0], feed.tensors[0])
        self._frames = frames_per_request

    @property
    def requests(self) -> int:
        return 1

    @property
    def frames_per_request(self) -> int:
        return self._frames

    @property
    def items(self) -> int:
        """Distinct inputs the requests cycle through (the shapes of a mix; 1 for a static
        model): warm-up runs each once, as a dynamic model's first run at a shape is slow."""
        return len(self._feed.arrays)

    def start_next(self) -> float:
        """Run one inference; its latency as the runtime reports it (like benchmark_app)."""
        if not self._feed.varies:  # the hot path of a static model: no Python work per request
            self._requests[0].infer()
            return float(self._requests[0].latency)
        item = self.shapes.take()
        request = self._requests[self._feed.buckets[item]]
        if self._feed.varies:
            _set_inputs(request, self._feed.tensors[item])
        request.infer()
        latency = float(request.latency)
        self.shapes.record(item, latency)
        return latency

    def drain(self) -> list[float]:
        return []

    def infer_once(self) -> None:
        self.start_next()


class AsyncPipeline:
    """benchmark_app's ``async_inference_only`` loop over an AsyncInferQueue per compiled model.

    A static model's inputs are set once per request as shared-memory tensors; latency is the
    runtime's own per-request figure (start → completion, queueing inside the plugin
    included), read from request handles fetched once, so the hot loop does no Python work the
    runtime can do. A mix sets the next item's tensors before each start (benchmark_app does
    likewise with several -data_shape), on a request of the item's bucket.
    """

    def __init__(
        self,
        compiled: list[ov.CompiledModel],
        requests: int,
        frames_per_request: int,
        feed: Feed,
    ):
        self._queues = [ov.AsyncInferQueue(c, requests) for c in compiled]
        self._slots = [[q[i] for i in range(requests)] for q in self._queues]
        self._feed = feed
        self.shapes = _ShapeStats(feed)
        if not feed.varies:
            for slot in self._slots[0]:
                _set_inputs(slot, feed.tensors[0])
        self._in_flight: list[dict[int, int]] = [{} for _ in compiled]  # slot → feed item
        self._requests = requests
        self._frames = frames_per_request

    @property
    def requests(self) -> int:
        return self._requests

    @property
    def frames_per_request(self) -> int:
        return self._frames

    @property
    def items(self) -> int:
        """Distinct inputs the requests cycle through (the shapes of a mix; 1 for a static
        model): warm-up runs each once, as a dynamic model's first run at a shape is slow."""
        return len(self._feed.arrays)

    def start_next(self) -> float | None:
        if not self._feed.varies:  # the hot path of a static model: no Python work per request
            queue = self._queues[0]
            idle = queue.get_idle_request_id()
            flying = self._in_flight[0]
            done = float(self._slots[0][idle].latency) if idle in flying else None
            flying[idle] = 0
            queue.start_async()
            return done
        item = self.shapes.take()
        bucket = self._feed.buckets[item]
        queue, flying = self._queues[bucket], self._in_flight[bucket]
        idle = queue.get_idle_request_id()
        latency: float | None = None
        if idle in flying:
            latency = float(self._slots[bucket][idle].latency)
            self.shapes.record(flying[idle], latency)
        if self._feed.varies:
            _set_inputs(self._slots[bucket][idle], self._feed.tensors[item])
        flying[idle] = item
        queue.start_async()
        return latency

    def drain(self) -> list[float]:
        latencies = []
        for queue, slots, flying in zip(self._queues, self._slots, self._in_flight, strict=True):
            queue.wait_all()
            for slot, item in flying.items():
                latency = float(slots[slot].latency)
                self.shapes.record(item, latency)
                latencies.append(latency)
            flying.clear()
        return latencies

    def infer_once(self) -> None:
        """One synchronous inference on request 0 (pipeline must be idle)."""
        item = self.shapes.take()
        request = self._slots[self._feed.buckets[item]][0]
        if self._feed.varies:
            _set_inputs(request, self._feed.tensors[item])
        request.infer()


class OpenLoopPool:
    """Infer requests for open-loop load (the server scenario): started one job at a time on a
    request the dispatcher names; each completion is time-stamped in OpenVINO's callback
    thread and handed to the dispatcher, which blocks until one arrives or its next arrival
    is due (:func:`autotune.measure.run_load`). Each slot has a request per compiled model;
    a mix picks the next item, and its bucket's request, at every start."""

    def __init__(self, compiled: list[ov.CompiledModel], requests: int, feed: Feed):
        # Shared-memory tensors do not own their arrays: the feed keeps both alive.
        self._feed = feed
        self._requests = [[c.create_infer_request() for c in compiled] for _ in range(requests)]
        self._completions = Completions()
        self._next = 0
        for slot, per_bucket in enumerate(self._requests):
            for request in per_bucket:
                if not feed.varies:
                    _set_inputs(request, feed.tensors[0])
                request.set_callback(self._completed, slot)

    def _completed(self, slot: int) -> None:
        self._completions.post(slot, time.perf_counter())

    @property
    def size(self) -> int:
        return len(self._requests)

    @property
    def items(self) -> int:
        """Distinct inputs the requests cycle through (the shapes of a mix; 1 for a static
        model): warm-up runs each once, as a dynamic model's first run at a shape is slow."""
        return len(self._feed.arrays)

    def start(self, slot: int) -> None:
        item = self._next
        self._next = (self._next + 1) % len(self._feed.arrays)
        request = self._requests[slot][self._feed.buckets[item]]
        if self._feed.varies:
            _set_inputs(request, self._feed.tensors[item])
        request.start_async()

    def wait(self, deadline: float) -> list[tuple[int, float]]:
        return self._completions.wait(deadline)
