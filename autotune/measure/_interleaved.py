"""The interleaved job, typed: several configs re-measured in the worker in turn (A B C, B C A,
…), one window each per round — what the confirmation stage and ``autotune validate`` both
run — with the one timeout it gets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from autotune.core import OFFLINE, SERVER, RuntimeConfig
from autotune.measure._runner import Runner, default_trial_timeout
from autotune.measure._window import Window

# A window's share of the timeout: an offline window costs about 3 (the refill, the window, the
# drain); a server window is a short search for the sustainable rate, up to about 8.
WINDOW_COST = {OFFLINE: 3.0, SERVER: 8.0}


@dataclass(frozen=True)
class InterleavedJob:
    """The payload of the ``measure_interleaved`` handler, typed."""

    model_path: str
    shape: dict[str, list[int]] | None
    batch_axes: dict[str, Any] | None
    configs: tuple[RuntimeConfig, ...]
    rounds: int
    window_s: float
    percent: float
    variants: dict[str, str] | None = None
    cache_dir: str | None = None
    mix: dict[str, Any] | None = None  # the traffic's shapes, when they vary
    pad: dict[str, float] | None = None  # bucket policies' pad values
    first_round: int = 0  # rounds added to earlier ones are numbered on
    scenario: str = OFFLINE
    # server scenario: where each config's rate search starts, and the latency it must hold
    start_rates: tuple[float, ...] = field(default_factory=tuple)
    latency_limit_ms: float | None = None

    @property
    def timeout_s(self) -> float:
        """Room for a slow compile, then every window of every round."""
        windows = len(self.configs) * self.rounds
        return default_trial_timeout(self.window_s) + (
            WINDOW_COST.get(self.scenario, WINDOW_COST[SERVER]) * windows * self.window_s
        )

    def payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "model_path": self.model_path,
            "shape": self.shape,
            "batch_axes": self.batch_axes,
            "mix": self.mix,
            "pad": self.pad,
            "variants": self.variants,
            "configs": [c.to_dict() for c in self.configs],
            "rounds": self.rounds,
            "first_round": self.first_round,
            "window_s": self.window_s,
            "percent": self.percent,
            "cache_dir": self.cache_dir,
        }
        if self.scenario == SERVER:
            out.update(
                scenario=SERVER,
                start_rates=list(self.start_rates),
                latency_limit_ms=self.latency_limit_ms,
            )
        return out

    def run(self, runner: Runner) -> list[list[Window]]:
        """Each config's windows, one a round, in the order of ``configs`` (raises
        :class:`~autotune.measure.TrialFailure`)."""
        result = runner.call("measure_interleaved", self.payload(), timeout_s=self.timeout_s)
        return [[Window.from_dict(w) for w in c["windows"]] for c in result["configs"]]
