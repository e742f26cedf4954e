"""Sequential confirmation: when the judge looks at the interleaved rounds, at what confidence,
and how many rounds the confirmation adds when a look cannot decide.

One look at 10 rounds states its intervals at 97.9 %: each claim ("faster", "tied") errs at most
2.1 % of the time. Looking again after 5 more rounds, and again after 5 more, gives noise a
second and a third chance to look like a difference; at 97.9 % each, up to 6.4 % of searches
would end on a false claim. So the looks share one error budget of 5 % (Bonferroni over the
looks, spent as it goes): the first look uses the narrowest order-statistic interval that
reaches 95 % — 97.9 % at 10 rounds, exactly as a single look always has — and each later look
gets an equal share of what is left, so its interval is stricter (99.3 % at 15 rounds, 98.8 %
at 20). The error rates of all the looks add up to at most 5 %, whichever look the
confirmation stops at. A look whose rounds cannot reach its share is skipped (the rounds go on
to the next one); a first look below 6 rounds cannot reach 95 %, claims nothing and spends
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from autotune.judge._intervals import CONFIDENCE, format_confidence, order_rank

# Rounds added per look when the deciding intervals are inconclusive: half the default 10, so a
# look costs about a quarter of a trial's time per candidate and round.
ROUNDS_STEP = 5
# Two configs within ±5 % of each other are "tied": the user is indifferent at that distance
# (and the tie-break then prefers the lower latency, the hint, the simpler device).
DEFAULT_TIE_MARGIN = 0.05
ERROR_BUDGET = 1.0 - CONFIDENCE  # shared by every look of one confirmation


@dataclass(frozen=True)
class Look:
    """The judge looks at the first ``rounds`` rounds; its intervals have ``confidence``."""

    rounds: int
    target: float  # the confidence asked of this look (its share of the error budget)
    confidence: float  # what the order-statistic interval at this many rounds has (≥ target)


@dataclass(frozen=True)
class RoundPlan:
    """How the confirmation rounds are judged: ``planned`` rounds first (``--confirm-rounds``),
    then ``step`` more at a time while the deciding intervals are inconclusive, up to
    ``budget`` rounds (``--max-rounds``); ties are proven within ``tie_margin``."""

    planned: int
    budget: int
    tie_margin: float = DEFAULT_TIE_MARGIN
    step: int = ROUNDS_STEP

    def looks(self) -> tuple[Look, ...]:
        """Every look the confirmation may take, with its confidence (see the module)."""
        counts = [self.planned]
        while counts[-1] < self.budget:
            counts.append(min(counts[-1] + self.step, self.budget))
        looks: list[Look] = []
        spent = 0.0
        for i, n in enumerate(counts):
            target = CONFIDENCE if i == 0 else 1.0 - (ERROR_BUDGET - spent) / (len(counts) - i)
            _, achieved = order_rank(n, target)
            if achieved < target - 1e-12:
                if i == 0:  # too few rounds to prove anything: the look claims nothing
                    looks.append(Look(n, target, achieved))
                continue
            spent += 1.0 - achieved
            looks.append(Look(n, target, achieved))
        return tuple(looks)

    def look(self, rounds: int) -> Look:
        """The look taken at ``rounds`` rounds (a count off the schedule — rounds stored by an
        older version — is judged as a single look)."""
        found = next((look for look in self.looks() if look.rounds == rounds), None)
        if found is not None:
            return found
        return Look(rounds, CONFIDENCE, order_rank(rounds, CONFIDENCE)[1])

    def more(self, rounds: int) -> int:
        """Rounds to add after a look at ``rounds`` that could not decide (0: the budget is
        spent)."""
        return next((look.rounds - rounds for look in self.looks() if look.rounds > rounds), 0)

    def describe(self) -> str:
        """``97.9 % at 10 rounds, 99.3 % at 15, 98.8 % at 20``."""
        parts = [
            f"{format_confidence(look.confidence)} at {look.rounds}"
            + (" rounds" if i == 0 else "")
            for i, look in enumerate(self.looks())
        ]
        return ", ".join(parts)


def single_look(rounds: int, tie_margin: float = DEFAULT_TIE_MARGIN) -> RoundPlan:
    """Rounds judged once, as they are (no rounds can be added)."""
    return RoundPlan(planned=rounds, budget=rounds, tie_margin=tie_margin)
