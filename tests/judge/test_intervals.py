"""Intervals whose confidence is exact: order statistics of the median and paired ratios."""

from __future__ import annotations

import math
import random

import pytest

from autotune.judge import coverage, median_interval, order_rank, paired_ratio
from tests.builders import ALWAYS_FASTER, HINT, SOMETIMES_FASTER


@pytest.mark.parametrize(
    ("n", "k", "confidence"),
    [
        (5, 1, 0.9375),
        (6, 1, 0.96875),
        (8, 1, 0.9921875),
        (9, 2, 0.9609375),
        (10, 2, 0.978515625),
        (12, 3, 0.9614257812),
    ],
)
def test_order_statistic_interval_has_its_exact_confidence(
    n: int, k: int, confidence: float
) -> None:
    assert order_rank(n, 0.95) == (k, pytest.approx(confidence)) or n == 5
    assert coverage(n, k) == pytest.approx(confidence)


def test_interval_states_the_confidence_it_really_has() -> None:
    five = median_interval([3, 1, 5, 2, 4])
    assert (five.low, five.estimate, five.high) == (1, 3, 5)
    assert five.confidence == pytest.approx(0.9375)  # min..max of 5 is not a 95 % interval
    assert "93.8 % CI" in five.describe()
    ten = median_interval(list(range(10)))
    assert (ten.low, ten.high, ten.n) == (1, 8, 10)  # [x(2), x(9)]
    assert math.isnan(median_interval([]).estimate) and median_interval([5.0]).n == 1


def test_interval_coverage_holds_where_the_bootstrap_did_not() -> None:
    """At 5 rounds a percentile bootstrap of the median covers the true median ~87 % of the
    time while calling itself 95 %; the order-statistic interval covers what it says."""
    rng = random.Random(7)
    for n in (5, 8, 10):
        hits = 0
        trials = 4000
        for _ in range(trials):
            values = [rng.lognormvariate(0.0, 0.3) for _ in range(n)]  # true median 1.0
            interval = median_interval(values)
            hits += interval.low <= 1.0 <= interval.high
        stated = median_interval([1.0] * n).confidence
        assert hits / trials >= stated - 0.015, (n, hits / trials, stated)


def test_paired_ratio_sees_a_real_gain_through_drift() -> None:
    r = paired_ratio(ALWAYS_FASTER, HINT)
    assert r.estimate == pytest.approx(1.10) and r.above_one
    noise = paired_ratio(SOMETIMES_FASTER, HINT)
    assert noise.estimate > 1.0 and not noise.above_one  # 3 of 10 rounds slower: not proven
    assert paired_ratio(HINT, ALWAYS_FASTER).below_one
