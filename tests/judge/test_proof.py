"""The proof of a stated rate, look by look, on windows whose counts are chosen: when a rate
holds, when the proof steps down, bisects, is capped or runs out of looks, and the budget
of each proof."""

from __future__ import annotations

import math

import pytest

from autotune.judge import ProofPlan, prove_rate, run_proofs, stated_rate, window_s
from autotune.measure import LoadPoint

PLAN = ProofPlan(percent=99, limit_ms=20.0, budget_s=600.0)


def window(
    rate: float, arrivals: int, over: int = 0, bursts: int = 1, p99: float | None = None
) -> LoadPoint:
    """A window at ``rate`` with ``over`` arrivals over the limit in bursts of ``bursts``; its
    own p99 just over the 20 ms limit when some are over, unless given."""
    return LoadPoint(
        offered_rate=rate,
        achieved_rate=rate,
        requests=arrivals,
        completed=arrivals,
        dropped=0,
        wall_s=arrivals / rate,
        latency_ms={"p50": 5.0, "p99": p99 or (21.0 if over else 15.0)},
        wait_ms={},
        lateness_ms=0.0,
        overloaded=False,
        over=over,
        over_sq=over * bursts,
    )


def test_the_plan_shares_one_error_budget_over_its_looks() -> None:
    assert PLAN.allowed == pytest.approx(0.01)
    assert PLAN.look_confidence == pytest.approx(1 - 0.01 / 40)
    assert PLAN.first == 826  # ln(0.00025) / ln(0.99) = 825.3, rounded up


def test_a_rate_that_holds_at_the_first_look_is_stated() -> None:
    claim = prove_rate([window(100.0, PLAN.first)], 100.0, PLAN)
    assert claim.status == "proven" and claim.proven and claim.rate == 100.0
    assert (claim.arrivals, claim.over) == (826, 0)
    assert "p99 ≤ 20 ms at 100 req/s: 826 arrivals, 0 over the limit" in claim.describe()
    # one arrival fewer is undecided: the first look needs all of them
    assert prove_rate([window(100.0, PLAN.first - 1)], 100.0, PLAN).status == "pending"
    assert claim.describe().endswith("99.0 %")


def test_an_undecided_look_asks_for_twice_the_arrivals() -> None:
    first = prove_rate([], 100.0, PLAN)
    assert first.status == "pending" and first.next_arrivals == PLAN.first
    assert window_s(first) == pytest.approx(PLAN.first / 100.0)
    claim = prove_rate([window(100.0, 700)], 100.0, PLAN)
    assert claim.status == "pending" and not claim.proven
    assert (claim.next_rate, claim.next_arrivals) == (100.0, 700)


def test_a_rate_far_over_steps_down_then_bisects() -> None:
    """6 % over: refuted, ×0.8; 80 holds; bisect between 80 and 100 (89.4); it holds; the
    bracket [89.4, 100] is wider than 5 %, so bisect again (94.6)."""
    points = [window(100.0, PLAN.first, over=48)]
    claim = prove_rate(points, 100.0, PLAN)
    assert claim.next_rate == pytest.approx(80.0) and claim.lowest_fail == 100.0
    points.append(window(80.0, PLAN.first))
    claim = prove_rate(points, 100.0, PLAN)
    assert claim.status == "pending" and claim.proven and claim.rate == pytest.approx(80.0)
    assert claim.next_rate == pytest.approx(math.sqrt(80 * 100))
    points.append(window(claim.next_rate, PLAN.first))
    claim = prove_rate(points, 100.0, PLAN)
    assert claim.rate == pytest.approx(math.sqrt(80 * 100))
    assert claim.next_rate == pytest.approx(math.sqrt(claim.rate * 100))
    held = claim.rate
    points.append(window(claim.next_rate, PLAN.first, over=30))  # refuted: [89.4, 94.6] is 5.7 %
    claim = prove_rate(points, 100.0, PLAN)
    assert claim.status == "pending" and claim.lowest_fail == pytest.approx(
        points[-1].offered_rate
    )
    points.append(window(claim.next_rate, PLAN.first, over=30))  # refuted again: within 5 %, done
    claim = prove_rate(points, 100.0, PLAN)
    assert claim.status == "proven" and claim.rate == pytest.approx(held)
    verdicts = [look.verdict for look in claim.looks]
    assert verdicts == ["refuted", "holds", "holds", "refuted", "refuted"]


@pytest.mark.parametrize(
    ("over", "p99", "step"),
    [
        (96, 21.0, 0.8),  # 5.8 % over: by the share
        (40, 21.0, 0.9),  # 2.4 %
        (25, 21.0, 0.95),  # 1.5 %
        (25, 25.0, 0.8),  # the window's p99 25 ms against 20: ×20/25
        (96, 65.0, 0.7),  # far over: never below ×0.7 in one step
    ],
)
def test_the_step_down_follows_the_share_and_the_tail(over: int, p99: float, step: float) -> None:
    claim = prove_rate([window(100.0, 2 * PLAN.first, over=over, p99=p99)], 100.0, PLAN)
    assert claim.lowest_fail == 100.0 and claim.next_rate == pytest.approx(100.0 * step)


def test_bursts_over_the_limit_weigh_less_than_independent_arrivals() -> None:
    """4 arrivals over the limit in 3000: shown when independent, not when they came in one
    burst (one effective arrival over in 750 effective ones is too few to show it)."""
    assert prove_rate([window(100.0, 3000, over=4)], 100.0, PLAN).proven
    bursty = prove_rate([window(100.0, 3000, over=4, bursts=4)], 100.0, PLAN)
    assert not bursty.proven and bursty.status == "pending"


def test_a_capped_proof_states_its_rate_unproven() -> None:
    claim = prove_rate([window(100.0, 700)], 100.0, PLAN, capped=True)
    assert claim.status == "capped" and not claim.proven
    assert "not proven: the --confirm-time budget ran out" in claim.describe()
    assert stated_rate(claim, 123.0) == 100.0
    assert stated_rate(None, 123.0) == 123.0


def test_a_proof_capped_after_a_failed_look_says_so() -> None:
    """The first rate failed (30 of 900 over the limit), the budget ran out before the lower
    rate was measured: the text names the failed rate instead of "0 arrivals"."""
    claim = prove_rate([window(100.0, 900, over=30)], 100.0, PLAN, capped=True)
    assert claim.status == "capped" and claim.arrivals == 0 and claim.rate < 100.0
    text = claim.describe()
    assert "before this rate was measured" in text
    assert "did not hold at 100 req/s" in text


def test_a_proof_runs_out_of_looks() -> None:
    points = []
    rate = 100.0
    for _ in range(PLAN.looks):
        points.append(window(rate, PLAN.first, over=80))
        rate *= 0.8
    claim = prove_rate(points, 100.0, PLAN)
    assert claim.status == "exhausted" and not claim.proven
    assert stated_rate(claim, 100.0) == 0.0
    assert "held at no rate tried" in claim.describe()


def test_validate_proves_one_rate_only() -> None:
    plan = ProofPlan(percent=99, limit_ms=20.0, step_down=False)
    claim = prove_rate([window(100.0, PLAN.first, over=48)], 100.0, plan)
    assert claim.status == "refuted" and "does not hold" in claim.describe()


def test_a_window_at_another_rate_is_refused() -> None:
    with pytest.raises(ValueError, match="expected 100"):
        prove_rate([window(90.0, PLAN.first)], 100.0, PLAN)


def test_run_proofs_caps_a_proof_whose_next_window_overruns_its_budget() -> None:
    """Two proofs: the fast config's first window holds; the slow one's is refuted and its
    next window (at 0.95×) no longer fits its budget: it is capped."""
    asked: list[list[tuple[float, float] | None]] = []

    def measure(
        windows: list[tuple[float, float] | None], rotation: int
    ) -> list[LoadPoint | None]:
        asked.append(windows)
        return [
            window(w[0], round(w[0] * w[1]), over=0 if w[0] > 50 else 8) if w else None
            for w in windows
        ]

    plan = ProofPlan(percent=99, limit_ms=20.0, budget_s=40.0)
    (fast, fast_capped), (slow, slow_capped) = run_proofs([200.0, 40.0], plan, measure)
    assert prove_rate(fast, 200.0, plan).proven and not fast_capped
    assert slow_capped and prove_rate(slow, 40.0, plan, capped=True).status == "capped"
    assert asked == [[(200.0, PLAN.first / 200.0), (40.0, PLAN.first / 40.0)]]


def test_each_proof_has_a_budget_of_its_own() -> None:
    """A hint at 10 req/s (its first look takes 83 s) and the shipped config at 100 req/s
    (8 s a look): with a budget of 100 s, the hint's windows leave the shipped config's proof
    its whole budget. The shipped config fails at 100, holds at 90 after the step down and
    bisects between them (94.9 and 92.4 fail): 4 windows, 35 s, more than 100 s together with
    the hint's first; only the hint's second window (at 9.5 req/s, 87 s) is capped."""
    thresholds = (92.0, 8.0)

    def measure(
        windows: list[tuple[float, float] | None], rotation: int
    ) -> list[LoadPoint | None]:
        out: list[LoadPoint | None] = []
        for w, threshold in zip(windows, thresholds, strict=True):
            if w is None:
                out.append(None)
                continue
            arrivals = round(w[0] * w[1])
            over = 0 if w[0] < threshold else int(0.03 * arrivals)
            out.append(window(w[0], arrivals, over=over))
        return out

    plan = ProofPlan(percent=99, limit_ms=20.0, budget_s=100.0)
    (shipped, shipped_capped), (hint, hint_capped) = run_proofs([100.0, 10.0], plan, measure)
    claim = prove_rate(shipped, 100.0, plan, capped=shipped_capped)
    assert not shipped_capped and claim.status == "proven"
    assert claim.rate == pytest.approx(90.0) and len(shipped) == 4
    spent = sum(p.wall_s for p in shipped) + sum(p.wall_s for p in hint)
    assert spent > plan.budget_s  # one shared budget would have capped one of them
    assert [p.offered_rate for p in hint] == [10.0] and hint_capped
    assert prove_rate(hint, 10.0, plan, capped=True).status == "capped"
