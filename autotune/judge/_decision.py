"""The shipping rule: which configuration to hand over, and why.

A tuned configuration ships only when the interleaved confirmation shows it significantly
better than every hint preset that meets the limits — its paired ratio's interval above 1 for
throughput or a rate, below 1 for a latency (the study's :class:`~._direction.Figure` says
which) — otherwise a hint ships. Among the candidates left (the feasible hints, or the tuned
configs proven better than all of them), the leader is the one with the better paired
estimates. Configs are *tied*
only when a tie is proven — the paired ratio's interval lies inside the tie margin (±5 %:
[1/1.05, 1.05]) and does not exclude 1 — and only proven ties go to the tie-break
(:meth:`Contender.tie_key`): the user's own model before a variant (INT8), then the lower
constrained latency, the lower memory, the simpler device (CPU before AUTO before BATCH), the
higher throughput. A hint and a tuned config never meet in a tie-break: a tuned config is a
candidate only once proven faster than every feasible hint. An interval that is neither above nor below 1 nor inside the margin is
*inconclusive*: the leader ships, and the verdict says the rounds could not separate them
(a wide interval is not a tie: calling it one would hand out the slower config on a noisy
machine). The comparisons left inconclusive that could still change what ships are listed in
``undecided``: the confirmation measures more rounds while there are some (see
:mod:`._sequential` for the confidence of each look). Without confirmation rounds nothing is
proven: the best feasible hint ships, and a tuned config only when no hint meets the limits
(marked unconfirmed).

The decision also carries every comparison that is shown of it (:mod:`._gain`): each config
against the reference hint, the INT8 model against the user's, and why a tie went the way it
did — the report, ``studies``, ``compare`` and the CLI read them, never recompute them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from autotune.judge._contender import Contender
from autotune.judge._explain import (
    accuracy_binds,
    accuracy_caveat,
    accuracy_note,
    claim_notes,
    finding,
    no_winner,
)
from autotune.judge._gain import Gain, best_variants, gain, variant_comparison
from autotune.judge._intervals import (
    CONFIDENCE,
    MIN_PROVING_ROUNDS,
    Interval,
    format_confidence,
    round_ratios,
)
from autotune.judge._limits import ACCURACY_CONSTRAINTS, Limits
from autotune.judge._pairs import Pairs
from autotune.judge._sequential import DEFAULT_TIE_MARGIN, Look, RoundPlan, single_look
from autotune.judge._verdict import rounds_note, tie_break, verdict


@dataclass(frozen=True)
class Decision:
    """What ships, the evidence, and the words for it."""

    winner: Contender | None
    contenders: tuple[Contender, ...]
    reference_hint: Contender | None  # the leading hint that meets the limits: the bar to beat
    ratios: dict[str, Interval]  # the winner against every measured hint (paired rounds)
    significant: bool  # a tuned winner proven faster than every feasible hint
    tied: tuple[str, ...]  # labels of the configs proven tied with the winner (tie margin)
    confirmed: bool  # the decision rests on interleaved confirmation rounds
    verdict: str
    findings: tuple[str, ...]  # each hint against each limit, with its figures
    problem: str = ""  # when nothing ships: what each hint misses
    fix: str = ""  # … and what to relax
    notes: tuple[str, ...] = field(default_factory=tuple)
    # the looks at the rounds so far (the last one decided), each with its confidence
    looks: tuple[Look, ...] = ()
    tie_margin: float = DEFAULT_TIE_MARGIN
    # comparisons the rounds left inconclusive that could still change what ships, "A vs B"
    undecided: tuple[str, ...] = ()
    # the winner ÷ each measured hint, round by round (None where a round measured nothing)
    round_ratios: dict[str, tuple[float | None, ...]] = field(default_factory=dict)
    rounds_note: str = ""  # how many rounds ran and why, when more than one look was taken
    # each contender (by key) ÷ the reference hint: paired, or the search figures' ratio
    gains: dict[str, Gain] = field(default_factory=dict)
    tie_break: str = ""  # why the winner ships over the configs proven tied with it
    variant_gain: str = ""  # --quantize: the INT8 model's best config against the user's
    variants: dict[str, Contender] = field(default_factory=dict)  # the config shown per variant

    @property
    def shipped_hint(self) -> bool:
        return self.winner is not None and self.winner.is_baseline

    @property
    def decisive(self) -> bool:
        """More rounds could not change what ships (nothing is left inconclusive that matters)."""
        return not self.undecided

    @property
    def confidence(self) -> float:
        """The confidence of the look that decided (NaN without confirmation rounds)."""
        return self.looks[-1].confidence if self.looks else math.nan

    def evidence(self) -> dict[str, Any]:
        """The confirmation rounds as data (``--json``, best_config.json): how many ran, each
        look with its confidence, the tie margin, what stayed inconclusive, and each round's
        ratio of the winner to each hint — one bad round shows there."""
        return {
            "rounds": self.looks[-1].rounds if self.looks else 0,
            "looks": [{"rounds": x.rounds, "confidence": x.confidence} for x in self.looks],
            "ratio_confidence": self.confidence if self.looks else None,
            "tie_margin": self.tie_margin,
            "decisive": self.decisive,
            "undecided": list(self.undecided),
            "rounds_note": self.rounds_note,
            "round_ratios": {name: list(r) for name, r in self.round_ratios.items()},
        }

    def contender(self, key: str) -> Contender | None:
        return next((c for c in self.contenders if c.key == key), None)

    @property
    def gain(self) -> Gain | None:
        """The winner ÷ the reference hint (None when either is missing)."""
        return self.gains.get(self.winner.key) if self.winner is not None else None


def _fastest(items: Sequence[Contender]) -> Contender | None:
    """The contender with the best figure (each carries its figure's direction)."""
    if not items:
        return None
    return items[0].figure.best(items, lambda c: c.throughput.estimate)


def decide(
    contenders: Sequence[Contender],
    limits: Limits,
    *,
    search: Sequence[Contender] | None = None,
    plan: RoundPlan | None = None,
    earlier: Sequence[Decision] = (),
) -> Decision:
    """Apply the shipping rule to every measured configuration (pure: same inputs, same
    decision, wherever it is asked — search summary, best_config.json, report, studies).

    ``contenders`` carry their confirmation rounds where they have some; ``search`` are the
    same configs at their search figures. When no confirmed config meets the limits (the
    machine got busier during the rounds), the decision falls back to the search figures.
    ``plan`` says at what confidence these rounds are judged and whether more could be added
    (default: judged once, as they are); ``earlier`` are the decisions at the looks before this
    one, for the account of why rounds were added.
    """
    confirmed_pool = [c for c in contenders if c.confirmed and c.rounds]
    confirmed = any(c.feasible for c in confirmed_pool)
    everyone = tuple(contenders if confirmed or search is None else search)
    pool = confirmed_pool if confirmed else list(everyone)
    feasible = [c for c in pool if c.feasible]
    hints = [c for c in pool if c.is_hint]
    feasible_hints = [c for c in hints if c.feasible and c.is_baseline]
    rounds = max((len(c.rounds) for c in confirmed_pool), default=0)
    plan = plan or single_look(rounds)
    look = plan.look(rounds)
    pairs = Pairs(look.target, plan.tie_margin, limits.figure)
    reference = pairs.leader(feasible_hints) if confirmed else _fastest(feasible_hints)
    findings = tuple(finding(c, limits) for c in hints) if _has_limits(limits) else ()
    looks = (*(x for x in plan.looks() if x.rounds < rounds), look) if confirmed else ()

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
            tie_margin=plan.tie_margin,
        )

    tuned = [c for c in feasible if not c.is_baseline]
    tied: list[Contender] = []
    undecided: list[tuple[Contender, Contender]] = []
    if confirmed:
        winner, tied, undecided = _ship(tuned, feasible_hints, pairs)
    else:
        fallback = reference or _fastest(tuned)
        assert fallback is not None  # a feasible config exists
        winner = fallback
    ratios = {name: pairs(winner, h) for h in hints for name in h.presets} if confirmed else {}
    why = tie_break(winner, tied, limits, pairs.margin)
    text = verdict(
        winner, reference, tied, ratios, confirmed, limits, tuned, feasible_hints, pairs, why
    )
    note = accuracy_note(
        everyone, winner, _accuracy_comparisons(everyone, winner, reference, pairs)
    )
    if note:
        text = f"{note} — {text}"
    if winner.claim is not None and not winner.claim.proven:
        text += f"; its stated rate is not proven: {winner.claim.describe()}"
    caveat = accuracy_caveat(winner, limits)
    if caveat:
        text += f"; {caveat}"
    undecided_text = tuple(dict.fromkeys(f"{a.label} vs {b.label}" for a, b in undecided))
    return Decision(
        winner=winner,
        contenders=everyone,
        reference_hint=reference,
        ratios=ratios,
        significant=confirmed and not winner.is_baseline,
        tied=tuple(c.label for c in tied if c is not winner),
        confirmed=confirmed,
        verdict=text,
        findings=findings,
        notes=_notes(look, hints, confirmed) + claim_notes(winner, hints, limits, confirmed),
        looks=looks,
        tie_margin=plan.tie_margin,
        undecided=undecided_text,
        round_ratios={
            name: round_ratios(winner.rounds, h.rounds) for h in hints for name in h.presets
        }
        if confirmed
        else {},
        rounds_note=rounds_note(looks, [d.undecided for d in earlier], undecided_text, plan)
        if confirmed
        else "",
        gains={c.key: gain(c, reference, pairs) for c in everyone} if reference else {},
        tie_break=why,
        variant_gain=variant_comparison(everyone, pairs),
        variants=best_variants(everyone),
    )


def _ship(
    tuned: list[Contender], feasible_hints: list[Contender], pairs: Pairs
) -> tuple[Contender, list[Contender], list[tuple[Contender, Contender]]]:
    """The winner, the configs proven tied with it, and the pairs left inconclusive that could
    still change what ships (the rule in the docstring)."""
    fig = pairs.figure
    eligible = [
        t
        for t in tuned
        if all(fig.proven_better(pairs(t, h)) for h in feasible_hints)
        and not _proven_below(t, feasible_hints)
    ]
    winner, tied, undecided = pairs.choose(eligible or feasible_hints)
    if winner.is_baseline:
        # a tuned config proven tied with the shipped hint is a tie the hint won
        tied += [t for t in tuned if pairs(t, winner).tied(pairs.margin)]
    for t in tuned:
        if any(t is e for e in eligible):
            continue
        against = [(h, pairs(t, h)) for h in feasible_hints]
        if any(fig.proven_worse(r) or r.tied(pairs.margin) for _, r in against):
            continue  # a hint is as fast or faster, proven: t cannot ship
        if not all(fig.leads(r.estimate) for _, r in against):
            continue  # the rounds point to a hint being faster: what ships already says so
        if (
            not winner.is_baseline
            and not fig.leads(pairs(t, winner).estimate)
            and t.tie_key() >= winner.tie_key()
        ):
            continue  # proven or not, it would not replace the tuned winner
        undecided += [(t, h) for h, r in against if not fig.proven_better(r)]
    return winner, tied, undecided


def _proven_below(tuned: Contender, hints: Sequence[Contender]) -> bool:
    """The proofs state a lower rate for ``tuned`` than for a hint: whatever its rounds said,
    it cannot ship over that hint."""
    mine = tuned.claim
    return (
        mine is not None
        and mine.proven
        and any(h.claim is not None and h.claim.proven and h.claim.rate > mine.rate for h in hints)
    )


def to_prove(decision: Decision) -> list[Contender]:
    """Whose rate the server scenario's proof stage proves: the winner and every hint that
    meets the limits in the rounds (their rates are what the summary states)."""
    chosen = [decision.winner] if decision.winner is not None else []
    chosen += [c for c in decision.contenders if c.is_baseline and c.feasible and c.confirmed]
    return list({c.key: c for c in chosen if c.throughput.estimate > 0}.values())


def _notes(look: Look, hints: list[Contender], confirmed: bool) -> tuple[str, ...]:
    """What the user should know about the evidence itself."""
    notes = []
    if confirmed and look.confidence < CONFIDENCE:
        notes.append(
            f"{look.rounds} confirmation rounds cannot show a gain at "
            f"{format_confidence(CONFIDENCE)} (that takes {MIN_PROVING_ROUNDS} or more): a "
            "tuned config ships only where no hint meets the limits"
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
    pairs: Pairs,
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
        g = gain(winner, hint, pairs)
        if g.paired:
            out.append((hint, g.short()))
        elif hint.search_throughput_fps > 0:
            out.append((hint, g.text()))
    return out
