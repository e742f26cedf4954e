"""The shipping rule: which configuration to hand over, and why.

A tuned configuration ships only when the interleaved confirmation shows it significantly
faster (paired ratio interval above 1) than every hint preset that meets the limits; otherwise
the best hint ships. Among configs that are statistically tied, the judge prefers, in order, a
hint preset, the lower constrained latency, the lower memory, and the simpler device (CPU
before AUTO before BATCH). Without confirmation rounds nothing is proven: the best feasible
hint ships, and a tuned config only when no hint meets the limits (marked unconfirmed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from autotune.core import figure_name
from autotune.judge._contender import Contender
from autotune.judge._explain import accuracy_binds, accuracy_note, finding, no_winner
from autotune.judge._intervals import (
    CONFIDENCE,
    MIN_PROVING_ROUNDS,
    Interval,
    format_confidence,
    order_rank,
    paired_ratio,
)
from autotune.judge._limits import ACCURACY_CONSTRAINTS, Limits


@dataclass(frozen=True)
class Decision:
    """What ships, the evidence, and the words for it."""

    winner: Contender | None
    contenders: tuple[Contender, ...]
    reference_hint: Contender | None  # the fastest hint that meets the limits: the bar to beat
    ratios: dict[str, Interval]  # the winner against every measured hint (paired rounds)
    significant: bool  # a tuned winner proven faster than every feasible hint
    tied: tuple[str, ...]  # labels of the configs statistically tied with the winner
    confirmed: bool  # the decision rests on interleaved confirmation rounds
    verdict: str
    findings: tuple[str, ...]  # each hint against each limit, with its figures
    problem: str = ""  # when nothing ships: what each hint misses
    fix: str = ""  # … and what to relax
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def shipped_hint(self) -> bool:
        return self.winner is not None and self.winner.is_baseline

    def contender(self, key: str) -> Contender | None:
        return next((c for c in self.contenders if c.key == key), None)

    def ratio_to(self, preset: str) -> Interval | None:
        return self.ratios.get(preset)


def _ratio(a: Contender, b: Contender) -> Interval:
    return paired_ratio(a.rounds, b.rounds)


def _fastest(items: Sequence[Contender]) -> Contender | None:
    return max(items, key=lambda c: c.throughput.estimate, default=None)


def decide(
    contenders: Sequence[Contender],
    limits: Limits,
    *,
    search: Sequence[Contender] | None = None,
) -> Decision:
    """Apply the shipping rule to every measured configuration (pure: same inputs, same
    decision, wherever it is asked — search summary, best_config.json, report, studies).

    ``contenders`` carry their confirmation rounds where they have some; ``search`` are the
    same configs at their search figures. When no confirmed config meets the limits (the
    machine got busier during the rounds), the decision falls back to the search figures.
    """
    confirmed_pool = [c for c in contenders if c.confirmed and c.rounds]
    confirmed = any(c.feasible for c in confirmed_pool)
    everyone = tuple(contenders if confirmed or search is None else search)
    pool = confirmed_pool if confirmed else list(everyone)
    feasible = [c for c in pool if c.feasible]
    hints = [c for c in pool if c.is_hint]
    feasible_hints = [c for c in hints if c.feasible and c.is_baseline]
    reference = _fastest(feasible_hints)
    findings = tuple(finding(c, limits) for c in hints) if _has_limits(limits) else ()

    if not feasible:
        problem, fix = no_winner(everyone, limits)
        return Decision(
            winner=None,
            contenders=everyone,
            reference_hint=None,
            ratios={},
            significant=False,
            tied=(),
            confirmed=False,
            verdict="no configuration meets the limits",
            findings=findings,
            problem=problem,
            fix=fix,
        )

    tuned = [c for c in feasible if not c.is_baseline]
    winner, tied = _ship(tuned, feasible_hints, reference, confirmed)
    ratios = {name: _ratio(winner, h) for h in hints for name in h.presets} if confirmed else {}
    significant = confirmed and not winner.is_baseline
    challenger = None
    if winner.is_baseline:
        faster = [t for t in tied if not t.is_baseline]
        best = _fastest(faster)
        if best is not None:
            challenger = (best, _ratio(best, winner))
    verdict = _verdict(winner, reference, tied, ratios, confirmed, limits, tuned, challenger)
    note = accuracy_note(
        everyone, winner, _accuracy_comparisons(everyone, winner, reference, ratios)
    )
    if note:
        verdict = f"{note} — {verdict}"
    return Decision(
        winner=winner,
        contenders=everyone,
        reference_hint=reference,
        ratios=ratios,
        significant=significant,
        tied=tuple(c.label for c in tied if c is not winner),
        confirmed=confirmed,
        verdict=verdict,
        findings=findings,
        notes=_notes(confirmed_pool, hints, confirmed),
    )


def _ship(
    tuned: list[Contender],
    feasible_hints: list[Contender],
    reference: Contender | None,
    confirmed: bool,
) -> tuple[Contender, list[Contender]]:
    """The winner and the configs statistically tied with it (the rule in the docstring)."""
    if not confirmed:
        winner = reference or _fastest(tuned)
        assert winner is not None
        return winner, []
    eligible = [t for t in tuned if all(_ratio(t, h).above_one for h in feasible_hints)]
    if eligible:
        top = _fastest(eligible)
        assert top is not None
        tied = [t for t in eligible if t is top or not _ratio(top, t).above_one]
        return min(tied, key=Contender.tie_key), tied
    assert reference is not None  # no eligible tuned config implies a feasible hint
    tied = [h for h in feasible_hints if h is reference or not _ratio(reference, h).above_one]
    winner = min(tied, key=Contender.tie_key)
    return winner, tied + [t for t in tuned if t.throughput.estimate > winner.throughput.estimate]


def _notes(
    confirmed_pool: list[Contender], hints: list[Contender], confirmed: bool
) -> tuple[str, ...]:
    """What the user should know about the evidence itself."""
    notes = []
    rounds = max((len(c.rounds) for c in confirmed_pool), default=0)
    if confirmed and order_rank(rounds)[1] < CONFIDENCE:
        notes.append(
            f"{rounds} confirmation rounds cannot show a gain at {format_confidence(CONFIDENCE)} "
            f"(that takes {MIN_PROVING_ROUNDS} or more): a tuned config ships only where no "
            "hint meets the limits"
        )
    if any(accuracy_binds(c) for c in hints) and any(
        c.accuracy is not None and c.accuracy.random_inputs for c in hints
    ):
        notes.append(
            "accuracy was judged on seeded random inputs: pass --inputs DIR with real samples "
            "to judge it on your data"
        )
    return tuple(notes)


def _has_limits(limits: Limits) -> bool:
    return (
        limits.max_latency_ms is not None
        or limits.guards_accuracy
        or (limits.max_memory_bytes is not None or limits.max_first_inference_ms is not None)
    )


def _accuracy_comparisons(
    contenders: Sequence[Contender],
    winner: Contender,
    reference: Contender | None,
    ratios: dict[str, Interval],
) -> list[tuple[Contender, str]]:
    """What the winner gives against the accurate reference hint and against the hint users run
    today at the default precision (the fastest one that meets the non-accuracy limits)."""
    defaults = [c for c in contenders if c.at_default_precision]
    usable = [
        c
        for c in defaults
        if all(v <= 0 for k, v in c.violations.items() if k not in ACCURACY_CONSTRAINTS)
    ]
    today = _fastest(usable) or _fastest(defaults)
    out: list[tuple[Contender, str]] = []
    for hint in (reference, today):
        if hint is None or hint is winner or any(hint is c for c, _ in out):
            continue
        interval = ratios.get(hint.presets[0])
        if interval is not None:
            out.append((hint, f"{interval.estimate:.2f}×"))
        elif hint.throughput.estimate > 0:
            gain = winner.throughput.estimate / hint.throughput.estimate
            out.append((hint, f"{gain:.2f}× (search figures)"))
    return out


def _verdict(
    winner: Contender,
    reference: Contender | None,
    tied: Sequence[Contender],
    ratios: dict[str, Interval],
    confirmed: bool,
    limits: Limits,
    tuned: Sequence[Contender],
    challenger: tuple[Contender, Interval] | None,
) -> str:
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
        if challenger is not None:
            best, r = challenger
            return (
                f"tied: the {winner.label} ships — no tuned configuration is significantly "
                f"faster (best: {best.label}, {r.estimate:.2f}× the hint, {r.describe()})"
            )
        return (
            f"the {winner.label} is the best configuration found: "
            "no tuned configuration beat it in the confirmation rounds"
        )
    if reference is None:
        return "no hint preset meets the limits; the tuned configuration does"
    r = ratios[reference.presets[0]]
    figure = figure_name(limits.scenario)
    text = f"{r.estimate:.2f}× the {figure} of the {reference.label} ({r.describe()})"
    others = [t for t in tied if t is not winner]
    if others:
        text += (
            f"; tied with {len(others)} other tuned config(s), shipping the one with the "
            f"lowest {limits.latency_key} latency"
        )
    return text
