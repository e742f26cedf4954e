"""A drop-in for :class:`autotune.measure.IsolatedRunner` that runs the real handlers on the
simulated machine, in process: the search-logic tests and the search-efficiency benchmark go
through exactly the code the worker runs, with only OpenVINO replaced."""

from __future__ import annotations

from typing import Any

from autotune.core import AutotuneError
from autotune.measure import HANDLERS, TrialFailure
from autotune.testing._backend import SimulatedBackend
from autotune.testing._machine import SimulatedMachine


class SimulatedRunner:
    def __init__(self, machine: SimulatedMachine | None = None, seed: int = 0) -> None:
        self.machine = machine or SimulatedMachine()
        self.backend = SimulatedBackend(self.machine, seed)
        self.calls: list[dict[str, Any]] = []

    @property
    def clock(self) -> Any:
        return self.backend.clock

    def call(self, handler: str, payload: dict[str, Any], timeout_s: float) -> dict[str, Any]:
        """Run a handler as the worker would; its errors become a failed trial."""
        self.calls.append({"handler": handler, **payload})
        try:
            return HANDLERS[handler](**payload, backend=self.backend)
        except (AutotuneError, NotImplementedError) as exc:
            raise TrialFailure(f"{type(exc).__name__}: {exc}") from None

    def close(self) -> None:
        pass
