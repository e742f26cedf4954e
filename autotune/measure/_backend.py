"""What the handlers run on: the real OpenVINO runtime, or a simulated machine in tests.

A :class:`Backend` compiles a configuration into a :class:`Session` and lends the handlers its
clock, CPU counters and memory readings. The child process uses :class:`RuntimeBackend`; the
simulated machine (:mod:`autotune.testing`) plugs in its own, so the search-logic tests and
benchmarks go through exactly the handlers the real worker runs.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

import numpy as np

from autotune.core import BatchAxes, EffectiveConfig, RuntimeConfig, ShapeMix
from autotune.measure._cpu import CpuSample, read_cpu_sample
from autotune.measure._memory import peak_rss_bytes, reset_peak, rss_bytes
from autotune.measure._run import Clock, Pipeline
from autotune.measure._serving import OpenPool


class Session(Protocol):
    """One configuration compiled and ready: its effective properties and request pool."""

    effective: EffectiveConfig
    compile_ms: float
    loaded_from_cache: bool

    @property
    def pipeline(self) -> Pipeline: ...

    def open_pool(self) -> OpenPool:
        """The same infer requests, for open-loop load (the server scenario)."""
        ...

    def first_inference_ms(self) -> float: ...

    def infer_samples(self, samples: list[list[np.ndarray]]) -> list[dict[str, np.ndarray]]:
        """Each sample's outputs as this config computes them (batched configs take distinct
        samples along the model's batch axes)."""
        ...

    def profile(self, iterations: int) -> list[dict[str, object]]: ...

    def close(self) -> None: ...


class Backend(Protocol):
    clock: Clock

    def cpu_sample(self) -> CpuSample: ...

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
    ) -> Session: ...

    def compile_matmul(self, size: int, config: RuntimeConfig) -> Session: ...

    def rss_bytes(self) -> int | None: ...

    def peak_rss_bytes(self) -> int | None: ...

    def reset_peak(self) -> None: ...


class RuntimeBackend:
    """The real thing: OpenVINO (imported on first use, in the worker process only)."""

    def __init__(self) -> None:
        self.clock: Clock = time.perf_counter

    def cpu_sample(self) -> CpuSample:
        return read_cpu_sample()

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
    ) -> Session:
        from autotune import runtime

        return runtime.CompiledSession(
            model_path,
            shape,
            config,
            cache_dir=cache_dir,
            extra_properties=extra_properties,
            batch_axes=batch_axes,
            mix=mix,
            pad=pad,
        )

    def compile_matmul(self, size: int, config: RuntimeConfig) -> Session:
        from autotune import runtime

        return runtime.CompiledSession(runtime.build_matmul_model(size), None, config)

    def rss_bytes(self) -> int | None:
        return rss_bytes()

    def peak_rss_bytes(self) -> int | None:
        return peak_rss_bytes()

    def reset_peak(self) -> None:
        reset_peak()


def model_options(
    batch_axes: dict[str, Any] | None, mix: dict[str, Any] | None, pad: dict[str, float] | None
) -> dict[str, Any]:
    """A worker job's model geometry (JSON) as :meth:`Backend.compile` takes it: where the batch
    lives, the traffic's mix of shapes, and the pad values of a bucket policy."""
    return {
        "batch_axes": BatchAxes.from_dict(batch_axes),
        "mix": ShapeMix.from_dict(mix),
        "pad": pad,
    }


# The worker's backend: every handler runs on it unless a test passes the simulated machine.
RUNTIME = RuntimeBackend()
