"""The simulated machine as a measurement backend: the real handlers compile "sessions" on it
and measure them with its fake clock."""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

import numpy as np

from autotune.core import BatchAxes, InputInfo, ModelInfo, RuntimeConfig, ShapeMix
from autotune.measure import CpuSample
from autotune.testing._machine import (
    FakeClock,
    SimulatedMachine,
    SimulatedOpenPool,
    SimulatedPipeline,
)

IDLE_RSS = 200_000_000
STREAM_RSS = 20_000_000  # resident memory a stream adds, for memory constraints and Pareto


class SimulatedSession:
    """One configuration 'compiled' on the simulated machine."""

    def __init__(self, backend: SimulatedBackend, config: RuntimeConfig) -> None:
        self.machine = backend.machine
        self.clock = backend.clock
        self.effective = replace(self.machine.effective(config), variant=config.variant)
        self.compile_ms = 5.0 if config.to_dict() in backend.compiled else 50.0
        self.loaded_from_cache = config.to_dict() in backend.compiled
        backend.compiled.append(config.to_dict())
        self._rng = backend.rng
        self._pipeline = SimulatedPipeline(self.machine, self.effective, self.clock, self._rng)
        backend.peak = max(backend.peak, IDLE_RSS + STREAM_RSS * self.streams)

    @property
    def streams(self) -> int:
        return int(self.effective.properties["NUM_STREAMS"])

    @property
    def pipeline(self) -> SimulatedPipeline:
        return self._pipeline

    def open_pool(self) -> SimulatedOpenPool:
        return SimulatedOpenPool(self.machine, self.effective, self.clock, self._rng)

    def first_inference_ms(self) -> float:
        ms = self.machine.service_ms(self.effective) * 1.5
        self.clock.advance(ms / 1e3)
        return ms

    def infer_samples(self, samples: list[list[np.ndarray]]) -> list[dict[str, np.ndarray]]:
        raise NotImplementedError("the simulated machine computes no outputs")

    def profile(self, iterations: int) -> list[dict[str, object]]:
        raise NotImplementedError("the simulated machine has no layers")

    def close(self) -> None:
        pass


class SimulatedBackend:
    """:class:`autotune.measure.Backend` over a :class:`SimulatedMachine`."""

    def __init__(self, machine: SimulatedMachine, seed: int = 0) -> None:
        self.machine = machine
        self.clock = FakeClock()
        self.rng = random.Random(seed)
        self.compiled: list[dict[str, Any]] = []
        self.peak = IDLE_RSS

    def cpu_sample(self) -> CpuSample:
        return CpuSample(total=int(self.clock() * 100), process_cpu_s=self.clock())

    def compile(
        self,
        model_path: str,
        shape: dict[str, list[int]] | None,
        config: RuntimeConfig,
        cache_dir: str | None = None,
        extra_properties: dict[str, Any] | None = None,
        batch_axes: BatchAxes | None = None,
        mix: ShapeMix | None = None,
        pad: dict[str, float] | None = None,
    ) -> SimulatedSession:
        return SimulatedSession(self, config)

    def compile_matmul(self, size: int, config: RuntimeConfig) -> SimulatedSession:
        return SimulatedSession(self, config)

    def rss_bytes(self) -> int | None:
        return IDLE_RSS

    def peak_rss_bytes(self) -> int | None:
        return self.peak

    def reset_peak(self) -> None:
        self.peak = IDLE_RSS


def simulated_model(path: str = "sim.xml", shape: tuple[int, ...] = (1, 3, 8, 8)) -> ModelInfo:
    """The model the simulated machine "runs": one input batched on axis 0, one output, the
    batch proven (as :func:`autotune.runtime.find_batch_axes` would prove it on a real CNN)."""
    return ModelInfo(
        path=path,
        inputs=(InputInfo("x", f"[?,{','.join(map(str, shape[1:]))}]", "f32", shape),),
        outputs=("y",),
        shape=None,
        batch=1,
        batch_axes=BatchAxes({"x": 0}, {"y": 0}, searchable=True, checked=(2, 8), auto_batch=True),
        sha256="sim",
    )
