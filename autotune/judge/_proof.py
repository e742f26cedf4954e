"""The proof of a sustainable rate: Poisson arrivals at one rate, enough of them for the
binomial rule (:mod:`._claims`) to show pXX ≤ limit, stepping the rate down until it does.

The search explores with short probes (200 arrivals: a p99 is then the second-slowest
request, and the highest rate that passed one such probe is a lucky window more often than
not). What autotune *states* is proven here. The confirmation measures each config from its
candidate rate (the median of its rounds) in windows interleaved with the other configs, and
after each window the judge looks at every arrival measured at that rate so far:

- **holds**: the rule shows pXX ≤ limit on the effective counts (arrivals and the count over
  the limit divided by the size-biased mean burst size: in a queue, requests over the limit
  come in bursts, and a burst is one piece of evidence, not many);
- **refuted**: even an optimistic share over the limit (its 80 % lower bound) reaches the
  allowed 1 − XX/100; the rate steps down (×0.8 when at least five times the allowed share is
  over, ×0.9 from twice, else ×0.95; further when the look's own pXX is far over the limit:
  by limit ÷ pXX, down to ×0.7);
- **unlikely**: showing it at that optimistic share would take more than 64 first looks of
  independent arrivals, or more than half the budget at this rate; ×0.95;
- **more**: undecided; the next window doubles the arrivals at this rate.

Once one rate held and a higher one was given up, the proof bisects between them (on a log
scale) until they are within 5 %; the stated rate is the highest that held. Every look is a
chance to pass a rate that does not hold, so the looks of one claim share its error budget:
at most 40 looks, each at 99.975 %, and the claim errs at most 1 % (loadgen's 99 %), whichever
look passed. A first look takes 826 arrivals for p99 (none over). Each claim's proof has a
time budget of its own (``--confirm-time``): a hint's slow looks (826 arrivals at 10 req/s
take 83 s) cost the shipped config's proof nothing. A claim with no rate held when its budget
runs out is *capped*: the rate under test is stated as not proven, with the arrivals a proof
would take.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from autotune.judge._claims import (
    TAIL_CONFIDENCE,
    Claim,
    Evidence,
    format_share,
    lower_bound,
    samples_at_share,
    samples_needed,
)
from autotune.judge._intervals import format_confidence
from autotune.measure import LoadPoint, percentile_key

PROOF_LOOKS = 40  # looks one claim may take; they share its error budget
DEFAULT_CONFIRM_TIME_S = 240.0  # measured time each claim's proof may take
# A rate is given up when showing it would take more than this many first looks of
# independent arrivals (the share over the limit is too close to the allowed one), or more
# than half the budget at that rate.
RATE_ARRIVALS_FACTOR = 64
RATE_BUDGET = 0.5
# Once a rate held and a higher one was given up, the proof bisects between them until they
# are within 5 %.
RESOLUTION = 0.05
GIVE_UP_CONFIDENCE = 0.8
MIN_STEP = 0.7  # the longest step down after one look


@dataclass(frozen=True)
class ProofPlan:
    """How a rate claim is proven: pXX ≤ ``limit_ms`` at ``confidence`` over at most
    ``looks`` looks, within ``budget_s`` of measurement; ``step_down`` False proves one rate
    only (validate: does the stated rate still hold?)."""

    percent: float
    limit_ms: float
    budget_s: float = DEFAULT_CONFIRM_TIME_S
    confidence: float = TAIL_CONFIDENCE
    looks: int = PROOF_LOOKS
    step_down: bool = True

    @property
    def allowed(self) -> float:
        """The share of arrivals that may be over the limit: 1 − XX/100."""
        return 1.0 - self.percent / 100.0

    @property
    def look_confidence(self) -> float:
        """Each look's share of the error budget: 99.975 % for 40 looks at 99 %."""
        return 1.0 - (1.0 - self.confidence) / self.looks

    @property
    def first(self) -> int:
        """Arrivals of a first look: the fewest that can show the claim (826 for p99)."""
        return samples_needed(0, self.allowed, self.look_confidence)

    def claim(self, n: int, over: int) -> Claim:
        return Claim(n, over, self.allowed, self.look_confidence)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProofPlan:
        return cls(**data)


@dataclass(frozen=True)
class ProofLook:
    """One look at the arrivals measured at one rate so far."""

    rate: float  # req/s offered
    arrivals: int  # at this rate, every window so far
    over: int  # of them over the limit (dropped ones included)
    spread: float  # the size-biased mean burst size the counts were divided by
    verdict: str  # "holds", "refuted", "unlikely", "more"
    window_ms: float  # the pXX of the look's own window (how far a failed look steps down)


@dataclass(frozen=True)
class RateClaim:
    """What a proof shows: ``rate`` with the arrivals and the count over the limit behind it.

    ``status``: "proven" (the rule shows pXX ≤ limit at ``rate``, the highest rate it showed
    it at); "refuted" (the one rate of a plan that does not step down does not hold);
    "exhausted" (every look was used and no rate held); "capped" (the time budget ran out
    before any rate held: ``rate`` is the one under test, not proven); "pending" (more to
    measure: ``next_arrivals`` at ``next_rate``; ``rate`` is the best proven so far, if any).
    """

    start: float
    rate: float
    status: str
    evidence: Evidence  # at ``rate``
    plan: ProofPlan
    looks: tuple[ProofLook, ...] = ()
    next_rate: float = 0.0
    next_arrivals: int = 0
    measured_s: float = 0.0
    lowest_fail: float | None = None  # the lowest rate given up (None: none)
    held: bool = False  # some rate was shown (``rate``, ``evidence``)

    @property
    def proven(self) -> bool:
        return self.held and self.status in ("proven", "pending")

    @property
    def arrivals(self) -> int:
        return self.evidence.arrivals

    @property
    def over(self) -> int:
        return self.evidence.over

    @property
    def needed(self) -> int:
        """Arrivals at ``rate`` a proof takes with this share over the limit (and no more)."""
        return self.evidence.needed(self.plan.allowed, self.plan.look_confidence)

    @property
    def bound(self) -> float:
        """The upper bound on the share over the limit at ``rate`` (the look's confidence)."""
        return self.evidence.claim(self.plan.allowed, self.plan.look_confidence).bound

    def describe(self) -> str:
        """``p99 ≤ 20 ms at 80.3 req/s: 2752 arrivals, 9 over the limit (≤ 0.71 %), 99 %``."""
        key = percentile_key(self.plan.percent)
        spread = self.evidence.spread
        bursts = f" in bursts of {spread:.1f}" if spread > 1.05 else ""
        evidence = f"{self.arrivals} arrivals, {self.over} over the limit{bursts}"
        head = f"{key} ≤ {self.plan.limit_ms:g} ms at {self.rate:.4g} req/s"
        if self.proven:
            return (
                f"{head}: {evidence} (≤ {format_share(self.bound)} over), "
                f"{format_confidence(self.plan.confidence)}"
            )
        if self.status == "capped":
            where = f"at {evidence}" if self.arrivals else "before this rate was measured"
            failed = (
                f", after p{self.plan.percent:g} did not hold at {self.lowest_fail:.4g} req/s"
                if self.lowest_fail is not None
                else ""
            )
            return (
                f"{head} not proven: the --confirm-time budget ran out {where}{failed} "
                f"(showing it takes about {self.needed} arrivals)"
            )
        if self.status == "refuted":
            return f"{head} does not hold: {evidence}"
        if self.status == "exhausted":
            return (
                f"{key} ≤ {self.plan.limit_ms:g} ms held at no rate tried ({len(self.looks)} "
                f"looks, down to {self.rate:.4g} req/s: {evidence})"
            )
        return f"{head}: {evidence} so far"

    def to_dict(self) -> dict[str, Any]:
        return {
            "rate": self.rate,
            "status": self.status,
            "proven": self.proven,
            "arrivals": self.arrivals,
            "over": self.over,
            "spread": self.evidence.spread,
            "confidence": self.plan.confidence,
            "look_confidence": self.plan.look_confidence,
            "bound": self.bound,
            "needed": self.needed,
            "start": self.start,
            "lowest_fail": self.lowest_fail,
            "measured_s": self.measured_s,
            "looks": [asdict(x) for x in self.looks],
            "text": self.describe(),
        }


def _verdict(plan: ProofPlan, seen: Evidence, rate: float) -> str:
    """What a look at every arrival at ``rate`` so far says (see the module). Giving a rate
    up can only make the stated rate lower, so it needs less evidence than a claim: it uses an
    optimistic share over the limit, the lower bound at 80 % (on the effective counts)."""
    claim = seen.claim(plan.allowed, plan.look_confidence)
    if claim.holds:
        return "holds"
    likely = lower_bound(claim.over, claim.n, GIVE_UP_CONFIDENCE)
    if claim.refuted or likely >= plan.allowed:
        return "refuted"
    most = min(RATE_ARRIVALS_FACTOR * plan.first * seen.spread, rate * plan.budget_s * RATE_BUDGET)
    effective = samples_at_share(
        likely, plan.allowed, plan.look_confidence, math.ceil(most / seen.spread)
    )
    if effective * seen.spread > most:
        return "unlikely"  # this close to the allowed share, or this spread: too long to show
    return "more"


def _step(plan: ProofPlan, verdict: str, seen: Evidence, window_ms: float) -> float:
    """How far the rate steps down after a look that gave it up: by the share over the limit
    (×0.8 from five times the allowed share, ×0.9 from twice, else ×0.95), and at least as far
    as the look's own pXX is over the limit (a p99 of 65 ms against 50: ×0.77), never below
    ×0.7 in one step. A tail far over the limit is then left in one or two looks instead of
    five, and the bisection that follows wins back what a long step gave away."""
    share = seen.over / seen.arrivals if seen.arrivals else 1.0
    if verdict == "refuted" and share >= 5 * plan.allowed:
        step = 0.8
    elif verdict == "refuted" and share >= 2 * plan.allowed:
        step = 0.9
    else:
        step = 0.95
    if math.isfinite(window_ms) and window_ms > plan.limit_ms:
        step = min(step, max(MIN_STEP, plan.limit_ms / window_ms))
    return step


def point_evidence(point: LoadPoint) -> Evidence:
    """One open-loop window's counts."""
    return Evidence(point.requests, point.over, point.over_sq, point.near, point.near_sq)


def _next_rate(
    plan: ProofPlan,
    held: float | None,
    failed: float | None,
    verdict: str,
    seen: Evidence,
    window_ms: float,
) -> float | None:
    """Where the proof goes after a look that decided: down while nothing held, then bisect
    between the highest rate that held and the lowest given up, until they are within
    ``RESOLUTION`` (None: done)."""
    if failed is None or not plan.step_down:
        return None
    if held is None:
        return failed * _step(plan, verdict, seen, window_ms)
    if failed / held <= 1.0 + RESOLUTION:
        return None
    return math.sqrt(held * failed)


def prove_rate(
    points: Sequence[LoadPoint], start: float, plan: ProofPlan, *, capped: bool = False
) -> RateClaim:
    """The claim the windows ``points`` (in the order measured, each at the rate the proof
    asked for) show, replayed look by look from ``start``; ``capped``: the budget stopped the
    measurement. The stated rate is the highest that held; every look is counted against the
    error budget, the ones at rates that did not hold included."""
    key = percentile_key(plan.percent)
    rate, seen = start, Evidence()
    held: tuple[float, Evidence] | None = None
    failed: float | None = None
    looks: list[ProofLook] = []
    measured = 0.0
    done = False
    for point in points:
        if done or not math.isclose(point.offered_rate, rate, rel_tol=1e-9):
            raise ValueError(f"a proof window at {point.offered_rate} req/s, expected {rate}")
        seen = seen + point_evidence(point)
        measured += point.wall_s
        verdict = _verdict(plan, seen, rate)
        window_ms = point.latency_ms.get(key, math.nan)
        looks.append(ProofLook(rate, seen.arrivals, seen.over, seen.spread, verdict, window_ms))
        if verdict != "more":
            if verdict == "holds":
                held = (rate, seen)
            else:
                failed = rate if failed is None else min(failed, rate)
            following = _next_rate(
                plan, held[0] if held else None, failed, verdict, seen, window_ms
            )
            if following is None:
                done = True
            else:
                rate, seen = following, Evidence()
        if len(looks) >= plan.looks:
            done = True

    def claim(status: str, at: float, evidence: Evidence, **more: Any) -> RateClaim:
        return RateClaim(
            start,
            at,
            status,
            evidence,
            plan,
            tuple(looks),
            measured_s=measured,
            lowest_fail=failed,
            **more,
        )

    if held is not None and (done or capped):
        return claim("proven", held[0], held[1], held=True)
    if done:
        return claim("refuted" if not plan.step_down else "exhausted", rate, seen)
    if capped:
        return claim("capped", rate, seen)
    target = 2 * seen.arrivals if seen.arrivals else plan.first
    best_rate, best = held if held is not None else (rate, seen)
    return claim(
        "pending",
        best_rate,
        best,
        next_rate=rate,
        next_arrivals=target - seen.arrivals,
        held=held is not None,
    )


def stated_rate(claim: RateClaim | None, figure: float) -> float:
    """The rate stated for a config: what its proof showed (the rate under test when the
    budget capped it, 0 when no rate held), or ``figure`` when it was not proven."""
    if claim is None:
        return figure
    return 0.0 if claim.status in ("exhausted", "refuted") else claim.rate


def window_s(claim: RateClaim) -> float:
    """The length of the next window a pending claim asks for."""
    return claim.next_arrivals / claim.next_rate if claim.next_rate > 0 else 0.0


# One round of proof windows: (rate, seconds) per proof, None where it measures nothing now.
MeasureRound = Callable[[list[tuple[float, float] | None], int], list[LoadPoint | None]]


def run_proofs(
    starts: Sequence[float], plan: ProofPlan, measure_round: MeasureRound
) -> list[tuple[list[LoadPoint], bool]]:
    """Measure every proof (one per start rate) until none needs more: each round, every
    open proof measures the window it asks for next, interleaved with the others, while its
    own ``plan.budget_s`` lasts; a proof whose next window no longer fits its budget is capped.
    Each proof has a budget of its own, so a hint's slow windows (826 arrivals at 10 req/s
    take 83 s) never starve the shipped config's proof. Per proof: its windows and whether the
    budget capped it."""
    points: list[list[LoadPoint]] = [[] for _ in starts]
    capped = [False] * len(starts)
    spent = [0.0] * len(starts)
    rounds = 0
    while True:
        claims = [prove_rate(p, s, plan) for p, s in zip(points, starts, strict=True)]
        chosen: list[int] = []
        for i, c in enumerate(claims):
            if c.status != "pending" or capped[i]:
                continue
            if spent[i] + window_s(c) <= plan.budget_s:
                chosen.append(i)
            else:
                capped[i] = True
        if not chosen:
            return list(zip(points, capped, strict=True))
        windows = [
            (claims[i].next_rate, window_s(claims[i])) if i in chosen else None
            for i in range(len(starts))
        ]
        measured = measure_round(windows, rounds)
        rounds += 1
        for i in chosen:
            point = measured[i]
            assert point is not None
            points[i].append(point)
            spent[i] += max(point.wall_s, window_s(claims[i]))
