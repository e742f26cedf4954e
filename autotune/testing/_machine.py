"""An analytic model of a many-core CPU: streams × threads, batch efficiency, precision
speed-ups, queueing inside the plugin, noise, on a fake clock. It mimics the OpenVINO semantics
that matter for the search: hints pick streams/threads, explicit values are clamped, the
request count caps the streams a hint creates.
"""

from __future__ import annotations

import heapq
import math
import random
from dataclasses import dataclass, field

from autotune.core import DeviceCapabilities, EffectiveConfig, RuntimeConfig


class FakeClock:
    """A clock that only moves when the simulation says so."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class SimulatedMachine:
    """Service time of one request: ``frame_ms × batch^batch_exponent / speedup(threads)``."""

    cores: int = 64
    frame_ms: float = 40.0  # one frame on one thread, f32
    batch_exponent: float = 0.85  # batching amortizes overheads
    parallel_fraction: float = 0.93  # Amdahl within one stream
    precision_speed: dict[str, float] = field(
        default_factory=lambda: {"f32": 1.0, "bf16": 0.5, "f16": 0.7}
    )
    default_precision: str = "f32"
    oversubscription_penalty: float = 0.5  # extra time per unit of threads beyond the cores
    noise: float = 0.03  # lognormal sigma per request
    start_overhead_ms: float = 0.02  # per start_async call (Python + plugin)
    seed: int = 0
    # Background load: every ``busy_period_s`` of the clock the machine is slower or faster by
    # a lognormal factor (sigma ``busy_sigma``), alike for every config running then — what
    # makes interleaved rounds disagree on a shared machine. 0: a quiet machine.
    busy_period_s: float = 0.0
    busy_sigma: float = 0.0
    # "exponential": service times drawn from an exponential of the same mean instead (with
    # ``noise`` 0, one stream per request: an M/M/c queue whose tail is known exactly)
    service: str = "lognormal"

    def capabilities(self) -> DeviceCapabilities:
        return DeviceCapabilities(
            name="CPU",
            full_name=f"Simulated {self.cores}-core CPU",
            streams_range=(1, self.cores),
            max_threads=self.cores,
            precisions=tuple(self.precision_speed),
            default_precision=self.default_precision,
            supported_properties=frozenset(
                {"ENABLE_CPU_PINNING", "NUM_STREAMS", "INFERENCE_NUM_THREADS"}
            ),
        )

    def effective(self, cfg: RuntimeConfig) -> EffectiveConfig:
        """Streams/threads the 'runtime' would pick, clamped like OpenVINO clamps them."""
        if cfg.hint == "LATENCY" and cfg.streams is None:
            streams, threads = 1, self.cores
        elif cfg.hint in ("THROUGHPUT", "CUMULATIVE_THROUGHPUT") and cfg.streams is None:
            streams = max(1, self.cores // 4)
            if cfg.infer_requests and cfg.preset is None:
                streams = min(streams, cfg.infer_requests)
            threads = self.cores
        else:
            streams = min(max(1, cfg.streams or 1), self.cores)
            threads = min(max(1, cfg.threads or self.cores), self.cores)
            streams = min(streams, threads)
        requests = cfg.infer_requests or streams * max(1, cfg.request_multiplier)
        precision = cfg.precision or self.default_precision
        return EffectiveConfig(
            device=cfg.target_device,
            batch=cfg.batch,
            infer_requests=requests,
            properties={
                "NUM_STREAMS": str(streams),
                "INFERENCE_NUM_THREADS": str(threads),
                "INFERENCE_PRECISION_HINT": precision,
                "ENABLE_CPU_PINNING": "NO" if cfg.cpu_pinning is False else "YES",
            },
        )

    def service_ms(self, eff: EffectiveConfig) -> float:
        streams = int(eff.properties["NUM_STREAMS"])
        threads = int(eff.properties["INFERENCE_NUM_THREADS"])
        per_stream = max(1, threads // streams)
        p = self.parallel_fraction
        speedup = 1.0 / ((1 - p) + p / per_stream)
        busy = streams * per_stream
        over = max(0.0, busy / self.cores - 1.0) * self.oversubscription_penalty
        precision = float(
            self.precision_speed.get(eff.properties["INFERENCE_PRECISION_HINT"], 1.0)
        )
        pin = 1.0 if eff.properties.get("ENABLE_CPU_PINNING") == "YES" else 1.04
        batch_cost = float(eff.batch) ** self.batch_exponent
        return float(self.frame_ms * batch_cost / speedup * precision * pin * (1 + over))

    def slowdown(self, now: float) -> float:
        """The background load's factor on service times at clock ``now`` (1: quiet)."""
        if not (self.busy_period_s > 0 and self.busy_sigma > 0):
            return 1.0
        slot = int(now // self.busy_period_s)
        return math.exp(random.Random(self.seed * 1_000_003 + slot).gauss(0, self.busy_sigma))

    def true_latency_ms(self, eff: EffectiveConfig) -> float:
        """Noise-free per-request latency: service time plus queueing behind other requests."""
        streams = int(eff.properties["NUM_STREAMS"])
        waves = math.ceil(eff.infer_requests / streams)
        return self.service_ms(eff) * waves

    def true_throughput(self, eff: EffectiveConfig) -> float:
        """Noise-free frames/s (what an infinitely long measurement converges to)."""
        streams = int(eff.properties["NUM_STREAMS"])
        busy = min(streams, eff.infer_requests)
        return busy * eff.batch / (self.service_ms(eff) / 1e3)


class _Streams:
    """A config's streams as servers: a job runs on the stream that frees first, for the
    config's service time scaled by the machine's noise."""

    def __init__(self, machine: SimulatedMachine, eff: EffectiveConfig, rng: random.Random):
        self._machine = machine
        self._noise = machine.noise
        self._exponential = machine.service == "exponential"
        self._rng = rng
        self._service_s = machine.service_ms(eff) / 1e3
        self._free_at = [0.0] * int(eff.properties["NUM_STREAMS"])

    def schedule(self, now: float) -> float:
        """When a job submitted at ``now`` completes."""
        stream = min(range(len(self._free_at)), key=lambda i: self._free_at[i])
        begin = max(now, self._free_at[stream])
        noise = self._noise
        factor = math.exp(self._rng.gauss(0, noise)) if noise else 1.0
        if self._exponential:
            factor *= self._rng.expovariate(1.0)
        done = begin + self._service_s * factor * self._machine.slowdown(begin)
        self._free_at[stream] = done
        return done


class SimulatedPipeline:
    """Requests queued on ``streams`` servers; the clock jumps from completion to completion."""

    def __init__(
        self, machine: SimulatedMachine, eff: EffectiveConfig, clock: FakeClock, rng: random.Random
    ):
        self._machine = machine
        self._clock = clock
        self._streams = _Streams(machine, eff, rng)
        self._requests = eff.infer_requests
        self._frames = eff.batch
        self._in_flight: list[tuple[float, int, float]] = []  # (completion, id, started)
        self._idle = list(range(self._requests))

    @property
    def requests(self) -> int:
        return self._requests

    @property
    def frames_per_request(self) -> int:
        return self._frames

    @property
    def items(self) -> int:
        return 1

    def _start(self, request: int) -> None:
        now = self._clock()
        heapq.heappush(self._in_flight, (self._streams.schedule(now), request, now))
        self._clock.advance(self._machine.start_overhead_ms / 1e3)

    def start_next(self) -> float | None:
        if self._idle:
            self._start(self._idle.pop())
            return None
        done, request, started = heapq.heappop(self._in_flight)
        if done > self._clock():
            self._clock.now = done
        self._start(request)
        return (done - started) * 1e3

    def drain(self) -> list[float]:
        latencies = []
        while self._in_flight:
            done, request, started = heapq.heappop(self._in_flight)
            self._clock.now = max(self._clock(), done)
            latencies.append((done - started) * 1e3)
            self._idle.append(request)
        return latencies


class SimulatedOpenPool:
    """The same servers under open-loop load: a request slot starts a job when the dispatcher
    says, the job runs on the stream that frees first, and :meth:`wait` jumps the fake clock to
    the next completion (or to the deadline when none comes before it)."""

    def __init__(
        self, machine: SimulatedMachine, eff: EffectiveConfig, clock: FakeClock, rng: random.Random
    ):
        self._clock = clock
        self._streams = _Streams(machine, eff, rng)
        self._size = eff.infer_requests
        self._in_flight: list[tuple[float, int]] = []  # (completion, slot)

    @property
    def size(self) -> int:
        return self._size

    @property
    def items(self) -> int:
        return 1

    def start(self, slot: int) -> None:
        heapq.heappush(self._in_flight, (self._streams.schedule(self._clock()), slot))

    def wait(self, deadline: float) -> list[tuple[int, float]]:
        if self._in_flight and self._in_flight[0][0] <= deadline:
            done, slot = heapq.heappop(self._in_flight)
            self._clock.now = max(self._clock(), done)
            return [(slot, done)]
        self._clock.now = max(self._clock(), deadline)
        return []
