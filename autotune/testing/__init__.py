"""A simulated many-core CPU for search-logic tests and benchmarks, driven through the same
measurement handlers as the real worker (only OpenVINO is replaced)."""

from autotune.testing._backend import SimulatedBackend, SimulatedSession, simulated_model
from autotune.testing._machine import (
    FakeClock,
    SimulatedMachine,
    SimulatedOpenPool,
    SimulatedPipeline,
)
from autotune.testing._queues import erlang_c, md1_over, mmc_over, tail_edge
from autotune.testing._runner import SimulatedRunner

__all__ = [
    "FakeClock",
    "SimulatedOpenPool",
    "SimulatedBackend",
    "SimulatedMachine",
    "SimulatedPipeline",
    "SimulatedRunner",
    "SimulatedSession",
    "erlang_c",
    "md1_over",
    "mmc_over",
    "simulated_model",
    "tail_edge",
]
