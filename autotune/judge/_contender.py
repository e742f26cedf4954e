"""A configuration as the judge sees it: one figure per config, and the evidence behind it."""

from __future__ import annotations

from dataclasses import dataclass, field

from autotune.core import RuntimeConfig, device_rank
from autotune.judge._claims import Claim
from autotune.judge._direction import THROUGHPUT, Figure
from autotune.judge._figures import Accuracy
from autotune.judge._intervals import Interval
from autotune.judge._limits import feasible, missed
from autotune.judge._proof import RateClaim, stated_rate


@dataclass(frozen=True)
class Contender:
    """One unique effective configuration with the figures a decision is made on.

    ``throughput`` is *the* figure of this config — what ``figure`` names: throughput, the
    sustainable rate, or (lower is better) a latency percentile in ms — the median over the
    interleaved confirmation rounds when it was confirmed (``rounds`` then holds the per-round
    values the paired comparisons use), else the median over its search windows.
    """

    key: str
    label: str
    config: RuntimeConfig  # the simplest request that produced this effective configuration
    presets: tuple[str, ...]  # hint preset names: "LATENCY", "THROUGHPUT f32"
    precision: str  # effective inference precision
    throughput: Interval
    latency_ms: dict[str, float]  # p50/p90/p99 for display
    constrained_latency_ms: float  # what the latency limit is judged on
    memory_bytes: float | None
    accuracy: Accuracy | None
    to_first_result_ms: float | None
    violations: dict[str, float]
    confirmed: bool
    search_throughput_fps: float
    rounds: tuple[float, ...] = ()
    trials: tuple[int, ...] = field(default_factory=tuple)
    warnings: tuple[str, ...] = ()
    figure: Figure = THROUGHPUT
    claim: RateClaim | None = None  # server scenario: the proof of the rate stated for it
    # offline, windows too short for their percentile: the latency limit as a claim about the
    # requests over it (autotune.judge.tail_evidence)
    tail: Claim | None = None

    @property
    def throughput_fps(self) -> float:
        """The figure of this config (see ``throughput``)."""
        return self.throughput.estimate

    @property
    def stated_rate(self) -> float:
        """The figure stated for this config: in the server scenario with a proof, the rate
        the proof showed (the one under test when the budget capped it; 0 when no rate
        held), else the figure the decision is made on."""
        return stated_rate(self.claim, self.throughput.estimate)

    @property
    def is_hint(self) -> bool:
        return bool(self.presets)

    @property
    def is_baseline(self) -> bool:
        """A hint preset on the user's own model: the bar every other config must clear. The
        hints measured on a variant ("LATENCY hint, int8") are contenders like tuned configs:
        they ship only when proven faster than these."""
        return self.is_hint and self.config.variant is None

    @property
    def feasible(self) -> bool:
        return feasible(self.violations)

    @property
    def missed(self) -> list[str]:
        return missed(self.violations)

    @property
    def at_default_precision(self) -> bool:
        """A hint preset as users run it (no precision of ours added, on their own model)."""
        return self.is_hint and self.config.precision is None and self.config.variant is None

    def tie_key(self) -> tuple[int, float, float, int, float]:
        """Among statistically tied configs: the user's own model before a variant (INT8 ships
        only when it is proven faster), then lower constrained latency, then lower memory, then
        the simpler device (CPU before AUTO before BATCH), then the better figure."""
        return (
            0 if self.config.variant is None else 1,
            self.constrained_latency_ms,
            self.memory_bytes if self.memory_bytes is not None else float("inf"),
            device_rank(self.config.device),
            -self.figure.rank(self.throughput.estimate),
        )
