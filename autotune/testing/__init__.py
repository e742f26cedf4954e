"""A simulated many-core CPU for search-logic tests and benchmarks, driven through the same
measurement handlers as the real worker (only OpenVINO is replaced)."""

from autotune.testing._backend import SimulatedBackend, SimulatedSession, simulated_model
from autotune.testing._machine import (
    FakeClock,
    SimulatedMachine,
    SimulatedOpenPool,
    SimulatedPipeline,
)
from autotune.testing._runner import SimulatedRunner

__all__ = [
    "FakeClock",
    "SimulatedOpenPool",
    "SimulatedBackend",
    "SimulatedMachine",
    "SimulatedPipeline",
    "SimulatedRunner",
    "SimulatedSession",
    "simulated_model",
]
