"""Which figure a scenario judges configurations on, and which way it is better: the one home
of the direction. Every comparison the judge makes (who leads, who is proven faster, which
config a group shows, the tie-break's last key) and every sentence that quotes a ratio asks a
:class:`Figure`; nothing else in autotune assumes that higher is better.

- offline: throughput (FPS), higher is better;
- server: the sustainable rate (req/s), higher is better; with ``--objective latency --rate R``
  the latency percentile under Poisson arrivals at R (ms), lower is better;
- single-stream: the chosen latency percentile of the sync loop (ms), lower is better: a tuned
  config ships only when its paired latency ratio's interval against every feasible hint lies
  below 1;
- multi-stream: the most periodic sources held at the latency limit (higher is better), or,
  with ``--streams K``, the latency percentile at K sources (lower is better).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

from autotune.core import MULTI_STREAM, SERVER, SINGLE_STREAM
from autotune.judge._intervals import Interval
from autotune.measure import Window, percentile_key, select_windows

T = TypeVar("T")


@dataclass(frozen=True)
class Figure:
    """The figure of merit of a scenario: its name and unit, how a window gives it, and which
    way it is better."""

    name: str  # "throughput", "sustainable rate", "p90 latency", "sources held"
    unit: str  # "FPS", "req/s", "ms", "sources"
    lower_is_better: bool = False
    latency_key: str | None = None  # set: a window's figure is its latency at this percentile

    @property
    def direction(self) -> Literal["minimize", "maximize"]:
        """The Optuna study direction for this figure."""
        return "minimize" if self.lower_is_better else "maximize"

    @property
    def metric(self) -> str:
        """The Optuna metric name: ``throughput_fps``, ``p90_latency_ms``."""
        if self.latency_key is not None:
            return f"{self.latency_key}_latency_ms"
        return {"req/s": "sustainable_rate", "sources": "sources_held"}.get(
            self.unit, "throughput_fps"
        )

    def of_window(self, window: Window) -> float:
        """One window's figure (NaN when the window has none)."""
        if self.latency_key is not None:
            return float(window.latency_ms.get(self.latency_key, math.nan))
        return window.throughput_fps

    def of_windows(self, windows: Sequence[Window]) -> float:
        """A run's figure: the median over its windows (those that count,
        :func:`~autotune.measure.select_windows`) of each window's figure."""
        values = [v for w in select_windows(windows) if math.isfinite(v := self.of_window(w))]
        return statistics.median(values) if values else math.nan

    def rank(self, value: float) -> float:
        """A sort key, higher for a better figure (NaN ranks last)."""
        if not math.isfinite(value):
            return -math.inf
        return -value if self.lower_is_better else value

    def best(self, items: Iterable[T], value: Callable[[T], float]) -> T | None:
        """The item with the best figure (None when there is none)."""
        return max(items, key=lambda x: self.rank(value(x)), default=None)

    def leads(self, ratio: float) -> bool:
        """``a ÷ b`` = ``ratio`` says a is better (by its estimate, not proven)."""
        return ratio < 1.0 if self.lower_is_better else ratio > 1.0

    def proven_better(self, r: Interval) -> bool:
        """The paired ratio ``a ÷ b`` proves a better: its interval below 1 for a latency,
        above 1 for a rate."""
        return r.below_one if self.lower_is_better else r.above_one

    def proven_worse(self, r: Interval) -> bool:
        return r.above_one if self.lower_is_better else r.below_one

    def format(self, value: float) -> str:
        """``1.23 ms``, ``123.4 FPS``."""
        if self.unit == "ms":
            return f"{value:.3g} ms" if value < 10 else f"{value:.1f} ms"
        if self.unit == "sources":
            return f"{value:g} sources"
        return f"{value:.1f} {self.unit}"

    def compared(self, ratio: float, other: str) -> str:
        """``a ÷ b`` in words: ``1.10× the throughput of the LATENCY hint`` or ``1.25× lower
        p90 latency than the LATENCY hint`` (a latency ratio of 0.80)."""
        if not self.lower_is_better:
            return f"{ratio:.2f}× the {self.name} of the {other}"
        if not math.isfinite(ratio) or ratio <= 0:
            return f"an unknown {self.name} against the {other}"
        if ratio <= 1.0:
            return f"{1 / ratio:.2f}× lower {self.name} than the {other}"
        return f"{ratio:.2f}× higher {self.name} than the {other}"

    def short(self, ratio: float) -> str:
        """A table cell for ``a ÷ b``: ``1.10×`` or ``1.25× lower``."""
        if not self.lower_is_better:
            return f"{ratio:.2f}×"
        if not math.isfinite(ratio) or ratio <= 0:
            return "?"
        return f"{1 / ratio:.2f}× lower" if ratio <= 1.0 else f"{ratio:.2f}× higher"


THROUGHPUT = Figure("throughput", "FPS")
SUSTAINABLE_RATE = Figure("sustainable rate", "req/s")
SOURCES_HELD = Figure("sources held", "sources")


def latency_figure(percent: float) -> Figure:
    """The ``percent`` latency, lower is better."""
    key = percentile_key(percent)
    return Figure(f"{key} latency", "ms", lower_is_better=True, latency_key=key)


def figure_of(
    scenario: str, percent: float, streams: int | None = None, at_rate: float | None = None
) -> Figure:
    """The figure a study in ``scenario`` is judged on (``at_rate``: a server study measures
    every config at that Poisson rate and judges its latency percentile there)."""
    if scenario == SERVER:
        return SUSTAINABLE_RATE if at_rate is None else latency_figure(percent)
    if scenario == SINGLE_STREAM:
        return latency_figure(percent)
    if scenario == MULTI_STREAM:
        return SOURCES_HELD if streams is None else latency_figure(percent)
    return THROUGHPUT
