import math

import pytest

from autotune.stats import median_interval, paired_ratio


def test_paired_ratio_sees_a_real_gain_through_drift() -> None:
    # the machine drifts by ±30 % between rounds, but A is always 20 % faster than B
    drift = [1.0, 0.7, 1.3, 0.9, 1.1, 0.8]
    b = [100 * d for d in drift]
    a = [120 * d for d in drift]
    r = paired_ratio(a, b)
    assert r.estimate == pytest.approx(1.2)
    assert r.low > 1.0


def test_paired_ratio_interval_contains_one_for_noise() -> None:
    a = [100, 104, 97, 101, 99]
    b = [101, 98, 103, 100, 99]
    r = paired_ratio(a, b)
    assert r.low <= 1.0 <= r.high


def test_median_interval_degenerate_cases() -> None:
    assert math.isnan(median_interval([]).estimate)
    one = median_interval([5.0])
    assert (one.low, one.estimate, one.high) == (5.0, 5.0, 5.0)
    many = median_interval([1, 2, 3, 4, 100])
    assert many.estimate == 3
    assert many.low <= 3 <= many.high
