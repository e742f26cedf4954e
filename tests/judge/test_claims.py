"""Claims about a share, proven as MLPerf's loadgen proves a tail latency: exact binomial
tails, the Clopper–Pearson bounds, loadgen's sample counts, and the bound's coverage."""

from __future__ import annotations

import math
import random

import pytest

from autotune.judge import (
    Claim,
    Evidence,
    agreement_claim,
    binomial_cdf,
    lower_bound,
    max_over,
    proven_percentile,
    samples_needed,
    shows,
    tail_claim,
    upper_bound,
)


@pytest.mark.parametrize(("k", "n", "p"), [(0, 10, 0.3), (3, 10, 0.3), (5, 40, 0.01), (7, 7, 0.5)])
def test_the_binomial_tail_is_exact(k: int, n: int, p: float) -> None:
    direct = sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k + 1))
    assert binomial_cdf(k, n, p) == pytest.approx(direct, rel=1e-12)


def test_loadgen_figures() -> None:
    """p99 at 99 %: 459 queries with none over the limit (ln 0.01 / ln 0.99), 662 with one."""
    assert samples_needed(0, 0.01, 0.99) == 459
    assert samples_needed(1, 0.01, 0.99) == 662
    assert not shows(0, 458, 0.01, 0.99) and shows(0, 459, 0.01, 0.99)
    assert tail_claim(459, 0, 99).holds and not tail_claim(458, 0, 99).holds
    assert tail_claim(459, 0, 99).needed == 459


def test_a_200_arrival_window_says_little() -> None:
    """None over the limit in 200 arrivals: up to 1.5 % may be over (95 %), 2.3 % (99 %)."""
    assert upper_bound(0, 200, 0.95) == pytest.approx(0.0149, abs=1e-4)
    assert upper_bound(0, 200, 0.99) == pytest.approx(0.0228, abs=1e-4)
    assert not tail_claim(200, 0, 99).holds


def test_agreement_needs_hundreds_of_samples() -> None:
    """32 of 32 top-1 answers agreeing shows ≥ 0.91 at 95 %; ≥ 0.99 takes 299 samples."""
    claim = agreement_claim(32, 32, 0.99)
    assert 1 - claim.bound == pytest.approx(0.9106, abs=1e-4)
    assert not claim.holds and claim.needed == 299
    assert agreement_claim(299, 299, 0.99).holds
    assert agreement_claim(392, 393, 0.99).needed > 299  # one disagreement asks for more


def test_bounds_bracket_the_share_and_a_claim_can_be_refuted() -> None:
    assert lower_bound(5, 100, 0.99) < 0.05 < upper_bound(5, 100, 0.99)
    assert lower_bound(0, 100, 0.99) == 0.0 and upper_bound(100, 100, 0.99) == 1.0
    assert Claim(1000, 40, 0.01, 0.99).refuted  # 4 % over: certainly more than 1 %
    assert not Claim(1000, 12, 0.01, 0.99).refuted and not Claim(1000, 12, 0.01, 0.99).holds


def test_the_upper_bound_covers_at_its_confidence() -> None:
    """Draw 2000 samples of 600 at a true share of 1 %: the 99 % upper bound must lie below
    the truth at most 1 % of the time (a bound that is too tight fails this)."""
    rng = random.Random(3)
    misses = 0
    for _ in range(2000):
        over = sum(rng.random() < 0.01 for _ in range(600))
        misses += upper_bound(over, 600, 0.99) < 0.01
    assert misses <= 20  # 1 % of 2000; exact binomial bounds are conservative


def test_max_over_and_the_proven_percentile() -> None:
    assert max_over(458, 0.01, 0.99) == -1 and max_over(459, 0.01, 0.99) == 0
    assert max_over(1000, 0.01, 0.99) == 2
    values = [float(i) for i in range(1000)]
    assert proven_percentile(values, 99, 0.99) == 997.0  # three over it are allowed: 2
    assert proven_percentile(values[:459], 99, 0.99) == 458.0
    assert math.isinf(proven_percentile(values[:458], 99, 0.99))


def test_bursts_weigh_as_the_bursts_they_are() -> None:
    """20 requests over the limit behind one stall are one piece of evidence: the counts are
    divided by the size-biased mean burst size."""
    independent = Evidence(2000, 5, 5)
    bursty = Evidence(2000, 5, 25)  # one burst of 5
    assert independent.spread == 1.0 and bursty.spread == 5.0
    assert independent.claim(0.01, 0.99).holds
    assert not bursty.claim(0.01, 0.99).holds
    assert bursty.claim(0.01, 0.99).n == 400 and bursty.claim(0.01, 0.99).over == 1
    # with nothing over the limit, the near tail's bursts say how the tail clusters
    assert Evidence(2000, 0, 0, 100, 800).spread == 8.0
    assert Evidence(2000, 0, 0, 100, 800).needed(0.01, 0.99) == 8 * 459
