"""How much faster one config is than another, as the judge states it everywhere: a paired
ratio over the confirmation rounds when both were measured in them, else the ratio of their
search figures, marked as such (no interval). Also which config of each model variant (the
INT8 model) is the one to show, and the sentence comparing it with the user's model."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from autotune.judge._contender import Contender
from autotune.judge._intervals import Interval

# the paired ratio of two contenders' rounds (the decision's own, at its look's confidence)
PairedRatio = Callable[[Contender, Contender], Interval]


@dataclass(frozen=True)
class Gain:
    """One config's figure ÷ another's: ``interval`` is the paired ratio over the
    confirmation rounds, None when the estimate is the ratio of the search figures (or when a
    config is compared with itself: ``itself``, exactly 1)."""

    estimate: float
    interval: Interval | None = None
    itself: bool = False

    @property
    def paired(self) -> bool:
        return self.interval is not None

    @property
    def source(self) -> str:
        if self.itself:
            return "itself"
        return "paired rounds" if self.paired else "search figures"

    def to_dict(self) -> dict[str, Any]:
        """``{"estimate", "low", "high", "n", "confidence", "source"}``; low, high and
        confidence are None for search figures."""
        if self.interval is not None:
            return {**self.interval.to_dict(), "source": self.source}
        return {
            "estimate": self.estimate,
            "low": None,
            "high": None,
            "n": 1,
            "confidence": None,
            "source": self.source,
        }

    def short(self) -> str:
        """``1.23×`` or ``1.05× (search)``: a table cell."""
        return f"{self.estimate:.2f}×" + ("" if self.paired or self.itself else " (search)")

    def text(self) -> str:
        """``1.23× [1.10, 1.31]``, ``1.05× (search figures)`` or ``1.00× (itself)``."""
        if self.interval is None:
            return f"{self.estimate:.2f}× ({self.source})"
        return f"{self.estimate:.2f}× [{self.interval.low:.2f}, {self.interval.high:.2f}]"


def gain(a: Contender, b: Contender, pairs: PairedRatio) -> Gain:
    """``a`` ÷ ``b``: paired when both have confirmation rounds, else their search figures."""
    if a is b:
        return Gain(1.0, itself=True)
    if a.rounds and b.rounds:
        r = pairs(a, b)
        return Gain(r.estimate, r)
    below = b.search_throughput_fps
    return Gain(a.search_throughput_fps / below if below > 0 else float("nan"))


def best_of(candidates: Sequence[Contender]) -> Contender | None:
    """The config to show for a group (a model variant, the user's model): the fastest that
    meets the limits, else the fastest."""
    feasible = [c for c in candidates if c.feasible]
    return max(feasible or candidates, key=lambda c: c.throughput.estimate, default=None)


def best_variants(contenders: Sequence[Contender]) -> dict[str, Contender]:
    """The config shown for each model variant (``{"int8": …}``), by :func:`best_of`."""
    names = sorted({c.config.variant for c in contenders if c.config.variant})
    out = {}
    for name in names:
        best = best_of([c for c in contenders if c.config.variant == name])
        assert best is not None
        out[name] = best
    return out


def variant_comparison(contenders: Sequence[Contender], pairs: PairedRatio, unit: str) -> str:
    """The best config on the INT8 model against the best feasible one on the user's model,
    with the INT8 model's accuracy figures ("" without a variant)."""
    variants = best_variants(contenders)
    if not variants:
        return ""
    name, best = next(iter(variants.items()))
    original = max(
        (c for c in contenders if c.feasible and not c.config.variant),
        key=lambda c: c.throughput.estimate,
        default=None,
    )
    cost = f"; accuracy: {best.accuracy.describe()}" if best.accuracy else ""
    if best.accuracy is not None and best.accuracy.uncalibrated:
        cost += " (calibrated on random data: accuracy unknown)"
    if not best.feasible:
        return f"no {name} config meets the limits (best: {best.label}{cost})"
    if original is None:
        return f"only {name} configs meet the limits: best {best.label}{cost}"
    g = gain(best, original, pairs)
    figure = f"{g.estimate:.2f}× ({g.interval.describe()})" if g.interval is not None else g.text()
    return (
        f"{name}: {best.label} gives {best.throughput.estimate:.1f} {unit}, {figure} the best "
        f"config of the original model ({original.label}){cost}"
    )
