"""Paired comparisons at one look: the ratio of two configs' rounds at the look's confidence,
which of several configs leads, and which of them are proven tied with it."""

from __future__ import annotations

from collections.abc import Sequence

from autotune.judge._contender import Contender
from autotune.judge._direction import THROUGHPUT, Figure
from autotune.judge._intervals import Interval, paired_ratio


def settled(r: Interval, margin: float) -> bool:
    """The rounds order the two configs (faster or slower) or prove them tied."""
    return r.above_one or r.below_one or r.within(margin)


class Pairs:
    """Paired ratios a ÷ b at one confidence, each computed once, with the tie margin; which
    way a ratio is better is the ``figure``'s."""

    def __init__(self, confidence: float, margin: float, figure: Figure = THROUGHPUT) -> None:
        self.confidence = confidence
        self.margin = margin
        self.figure = figure
        self._cache: dict[tuple[int, int], Interval] = {}

    def __call__(self, a: Contender, b: Contender) -> Interval:
        key = (id(a), id(b))
        if key not in self._cache:
            self._cache[key] = paired_ratio(a.rounds, b.rounds, self.confidence)
        return self._cache[key]

    def leader(self, pool: Sequence[Contender]) -> Contender | None:
        """The config the rounds put first: proven slower than none of the others, then ahead
        of the most others by its paired estimate, then the better median."""
        if not pool:
            return None
        fig = self.figure
        unbeaten = [
            c for c in pool if not any(fig.proven_better(self(o, c)) for o in pool if o is not c)
        ]
        return max(
            unbeaten or pool,
            key=lambda c: (
                sum(fig.leads(self(c, o).estimate) for o in pool if o is not c),
                fig.rank(c.throughput.estimate),
            ),
        )

    def choose(
        self, pool: Sequence[Contender]
    ) -> tuple[Contender, list[Contender], list[tuple[Contender, Contender]]]:
        """(winner, the configs proven tied with the leader, the leader's inconclusive pairs
        that a tie would turn into a different winner). Only proven ties are tie-broken; a
        config the rounds cannot separate from the leader loses to the leader's estimate."""
        leader = self.leader(pool)
        assert leader is not None
        tied = [leader] + [
            c for c in pool if c is not leader and self(leader, c).tied(self.margin)
        ]
        winner = min(tied, key=Contender.tie_key)
        undecided = [
            (leader, c)
            for c in pool
            if all(c is not x for x in tied)
            and not settled(self(leader, c), self.margin)
            and c.tie_key() < winner.tie_key()
        ]
        return winner, tied, undecided
