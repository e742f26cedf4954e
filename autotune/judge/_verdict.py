"""The verdict of a confirmed (or unconfirmed) decision in words, and the account of how many
rounds ran and why. Every figure quoted is a paired ratio at the deciding look's confidence."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from autotune.core import device_rank, figure_name
from autotune.judge._contender import Contender
from autotune.judge._explain import ms
from autotune.judge._intervals import Interval, format_confidence, format_margin
from autotune.judge._limits import Limits
from autotune.judge._pairs import Pairs, settled
from autotune.judge._sequential import Look, RoundPlan


def _preferred(winner: Contender, other: Contender, limits: Limits) -> str:
    """Why the tie-break picked ``winner`` over ``other``, in the order of
    :meth:`Contender.tie_key`."""
    if winner.config.variant is None and other.config.variant is not None:
        return "on your own model"
    if winner.constrained_latency_ms < other.constrained_latency_ms:
        return (
            f"the lower {limits.latency_key} latency ({ms(winner.constrained_latency_ms)} vs "
            f"{ms(other.constrained_latency_ms)})"
        )
    if winner.tie_key()[2] < other.tie_key()[2]:
        return "the lower memory"
    if device_rank(winner.config.device) < device_rank(other.config.device):
        return "the simpler device"
    return "the higher throughput"


def tie_break(winner: Contender, tied: Sequence[Contender], limits: Limits, margin: float) -> str:
    """Why ``winner`` ships over the configs proven tied with it ("" without a tie), e.g.
    ``proven tied with the THROUGHPUT hint (within ±5 %); the tie-break prefers the lower p90
    latency (1.2 ms vs 3 ms)``. Named is the fastest of the others."""
    others = [c for c in tied if c is not winner]
    if not others:
        return ""
    other = max(others, key=lambda c: c.throughput.estimate)
    more = f" and {len(others) - 1} more" if len(others) > 1 else ""
    return (
        f"proven tied with the {other.label}{more} (within {format_margin(margin)}); the "
        f"tie-break prefers {_preferred(winner, other, limits)}"
    )


def _hint_clause(
    winner: Contender,
    tied: Sequence[Contender],
    feasible_hints: Sequence[Contender],
    pairs: Pairs,
    limits: Limits,
) -> str:
    """How the shipped hint compares with the other feasible hints: a proven tie it won, or a
    lead the rounds could not prove (empty when it is proven faster than all of them)."""
    margin = pairs.margin
    others = [h for h in tied if h.is_baseline and h is not winner]
    if others:
        other = others[0]
        r = pairs(winner, other)
        return (
            f"tied: the {winner.label} ships on the tie-break — within {format_margin(margin)} "
            f"of the {other.label} ({r.estimate:.2f}× it, {r.describe()}), with "
            f"{_preferred(winner, other, limits)}"
        )
    open_ = [
        h for h in feasible_hints if h is not winner and not settled(pairs(winner, h), margin)
    ]
    if not open_:
        return ""
    parts = []
    for h in open_:
        r = pairs(winner, h)
        parts.append(f"{r.estimate:.2f}× the {h.label}'s estimate")
    r = pairs(winner, open_[0])
    return (
        f"the {winner.label} ships: {', '.join(parts)}; the rounds could not separate them at "
        f"{format_confidence(r.confidence)} (CI {r.low:.2f}–{r.high:.2f}, {r.n} rounds)"
    )


def _hint_verdict(
    winner: Contender,
    tied: Sequence[Contender],
    tuned: Sequence[Contender],
    feasible_hints: Sequence[Contender],
    pairs: Pairs,
    limits: Limits,
) -> str:
    head = _hint_clause(winner, tied, feasible_hints, pairs, limits)
    challengers = [t for t in tuned if pairs(t, winner).estimate > 1 or any(t is x for x in tied)]
    if not challengers:
        return head or (
            f"the {winner.label} is the best configuration found: "
            "no tuned configuration beat it in the confirmation rounds"
        )
    best = max(challengers, key=lambda t: pairs(t, winner).estimate)
    r = pairs(best, winner)
    evidence = f"best: {best.label}, {r.estimate:.2f}× the hint, {r.describe()}"
    if r.tied(pairs.margin):
        tail = f"the best tuned configuration is within {format_margin(pairs.margin)} of it"
        return (
            f"{head} — {tail} ({evidence})"
            if head
            else f"tied: the {winner.label} ships — {tail} ({evidence})"
        )
    tail = "no tuned configuration is proven faster than every feasible hint"
    return f"{head or f'the {winner.label} ships'} — {tail} ({evidence})"


def verdict(
    winner: Contender,
    reference: Contender | None,
    tied: Sequence[Contender],
    ratios: dict[str, Interval],
    confirmed: bool,
    limits: Limits,
    tuned: Sequence[Contender],
    feasible_hints: Sequence[Contender],
    pairs: Pairs,
    why: str = "",
) -> str:
    """The one sentence that says what ships and why (``why``: the tie-break's reason)."""
    if not confirmed:
        if winner.is_baseline:
            faster = [t for t in tuned if t.throughput.estimate > winner.throughput.estimate]
            if faster:
                best = max(faster, key=lambda c: c.throughput.estimate)
                gain = best.throughput.estimate / winner.throughput.estimate
                return (
                    f"the {winner.label} ships: the search's best tuned config ({best.label}, "
                    f"{gain:.2f}× in the search) was not confirmed in interleaved rounds "
                    "(run with --confirm-top 1 or more to prove it)"
                )
            return f"the {winner.label} is the best configuration found (search figures)"
        return (
            "no hint preset meets the limits; the search's best configuration ships, "
            "not confirmed in interleaved rounds"
        )
    if winner.is_baseline:
        return _hint_verdict(winner, tied, tuned, feasible_hints, pairs, limits)
    if reference is None:
        return "no hint preset meets the limits; the tuned configuration does"
    r = ratios[reference.presets[0]]
    text = f"{r.estimate:.2f}× the {figure_name(limits.scenario)} of the {reference.label} ({r.describe()})"
    others = [t for t in tied if t is not winner]
    if others:
        text += f"; tied with {len(others)} other tuned config(s): {why}"
    close = [
        t
        for t in tuned
        if t is not winner
        and all(t is not o for o in others)
        and all(pairs(t, h).above_one for h in feasible_hints)
        and not settled(pairs(winner, t), pairs.margin)
    ]
    if close:
        r = pairs(winner, close[0])
        text += (
            f"; {r.estimate:.2f}× the estimate of {close[0].label}, also proven faster than the "
            f"hints (the rounds could not separate them at {format_confidence(r.confidence)})"
        )
    return text


def rounds_note(
    looks: Sequence[Look],
    earlier: Sequence[Sequence[str]],
    undecided: Sequence[str],
    plan: RoundPlan,
) -> str:
    """How many rounds ran and why, e.g. ``10 + 5 rounds: LATENCY hint vs THROUGHPUT hint was
    inconclusive at 10 rounds; decided at 15 (99.3 %)``; empty for one decisive look."""
    if not looks:
        return ""
    last = looks[-1]
    at_budget = plan.more(last.rounds) == 0
    still = (
        f"inconclusive at {last.rounds} rounds, the budget (raise --max-rounds to measure more)"
        if at_budget
        else f"inconclusive at {last.rounds} rounds"
    )
    if len(looks) == 1:
        return f"{_some(undecided)}: {still}" if undecided else ""
    counts = [looks[0].rounds] + [b.rounds - a.rounds for a, b in itertools.pairwise(looks)]
    text = " + ".join(str(n) for n in counts) + " rounds"
    reasons = list(dict.fromkeys(pair for at in earlier for pair in at))
    if reasons:
        was = "was" if len(reasons) == 1 else "were"
        at = " and ".join(str(look.rounds) for look in looks[:-1])
        text += f": {_some(reasons)} {was} inconclusive at {at} rounds"
    if undecided:
        return f"{text}; {_some(undecided)} still {still}"
    return f"{text}; decided at {last.rounds} ({format_confidence(last.confidence)})"


def _some(pairs: Sequence[str], shown: int = 2) -> str:
    """``A vs B, C vs D and 2 more``."""
    rest = len(pairs) - shown
    return ", ".join(pairs[:shown]) + (f" and {rest} more" if rest > 0 else "")
