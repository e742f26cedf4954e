"""How much faster one config is than another, as the judge states it everywhere: a paired
ratio over the confirmation rounds when both were measured in them, else the ratio of their
search figures, marked as such (no interval). Also which config of each model variant (the
INT8 model) is the one to show, and the sentence comparing it with the user's model."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from autotune.judge._contender import Contender
from autotune.judge._direction import THROUGHPUT, Figure
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
    figure: Figure = THROUGHPUT  # which way the ratio is better (a latency ratio: below 1)

    @property
    def paired(self) -> bool:
        return self.interval is not None

    @property
    def source(self) -> str:
        if self.itself:
            return "itself"
        return "paired rounds" if self.paired else "search figures"

    def to_dict(self) -> dict[str, Any]:
        """``{"estimate", "low", "high", "n", "confidence", "source", "figure",
        "direction"}``; low, high and confidence are None for search figures."""
        named = {"figure": self.figure.name, "direction": self.figure.direction}
        if self.interval is not None:
            return {**self.interval.to_dict(), "source": self.source, **named}
        return {
            **named,
            "estimate": self.estimate,
            "low": None,
            "high": None,
            "n": 1,
            "confidence": None,
            "source": self.source,
        }

    def short(self) -> str:
        """``1.23×`` or ``1.05× (search)`` (``1.25× lower`` for a latency): a table cell."""
        cell = "1.00×" if self.itself else self.figure.short(self.estimate)
        return cell + ("" if self.paired or self.itself else " (search)")

    def text(self) -> str:
        """``1.23× [1.10, 1.31]``, ``1.05× (search figures)`` or ``1.00× (itself)``; a latency
        ratio is followed by what it means (``0.80× [0.75, 0.85] (1.25× lower)``)."""
        meaning = (
            f" ({self.figure.short(self.estimate)})"
            if self.figure.lower_is_better and not self.itself
            else ""
        )
        if self.interval is None:
            return f"{self.estimate:.2f}× ({self.source}){meaning}"
        return f"{self.estimate:.2f}× [{self.interval.low:.2f}, {self.interval.high:.2f}]{meaning}"


def gain(a: Contender, b: Contender, pairs: PairedRatio) -> Gain:
    """``a`` ÷ ``b``: paired when both have confirmation rounds, else their search figures."""
    if a is b:
        return Gain(1.0, itself=True, figure=a.figure)
    if a.rounds and b.rounds:
        r = pairs(a, b)
        return Gain(r.estimate, r, figure=a.figure)
    below = b.search_throughput_fps
    return Gain(a.search_throughput_fps / below if below > 0 else float("nan"), figure=a.figure)


def best_of(candidates: Sequence[Contender]) -> Contender | None:
    """The config to show for a group (a model variant, the user's model): the best figure
    that meets the limits, else the best figure."""
    feasible = [c for c in candidates if c.feasible]
    pool = feasible or list(candidates)
    return pool[0].figure.best(pool, lambda c: c.throughput.estimate) if pool else None


def best_variants(contenders: Sequence[Contender]) -> dict[str, Contender]:
    """The config shown for each model variant (``{"int8": …}``), by :func:`best_of`."""
    names = sorted({c.config.variant for c in contenders if c.config.variant})
    out = {}
    for name in names:
        best = best_of([c for c in contenders if c.config.variant == name])
        assert best is not None
        out[name] = best
    return out


def variant_comparison(contenders: Sequence[Contender], pairs: PairedRatio) -> str:
    """The best config on the INT8 model against the best feasible one on the user's model,
    with the INT8 model's accuracy figures ("" without a variant)."""
    variants = best_variants(contenders)
    if not variants:
        return ""
    name, best = next(iter(variants.items()))
    fig = best.figure
    original = fig.best(
        (c for c in contenders if c.feasible and not c.config.variant),
        lambda c: c.throughput.estimate,
    )
    cost = f"; accuracy: {best.accuracy.describe()}" if best.accuracy else ""
    if best.accuracy is not None and best.accuracy.uncalibrated:
        cost += " (calibrated on random data: accuracy unknown)"
    if not best.feasible:
        return f"no {name} config meets the limits (best: {best.label}{cost})"
    if original is None:
        return f"only {name} configs meet the limits: best {best.label}{cost}"
    g = gain(best, original, pairs)
    compared = fig.compared(g.estimate, f"best config of the original model ({original.label})")
    evidence = f" ({g.interval.describe()})" if g.interval is not None else f" ({g.source})"
    return f"{name}: {best.label} gives {fig.format(best.throughput.estimate)}, {compared}{evidence}{cost}"
