"""How windows become figures (the latency rule) and what the accuracy limits demand."""

from __future__ import annotations

import pytest

from autotune.judge import Accuracy, Limits, constrained_latency
from tests.builders import acc, window


def test_latency_is_judged_on_the_upper_quartile_of_windows() -> None:
    windows = [window(i, 100.0, v) for i, v in enumerate([1.0, 2.0, 3.0, 10.0])]
    assert constrained_latency(windows, 90) == 3.0  # one bad window does not decide alone
    steal = [*windows, window(4, 100.0, 50.0, flagged=True)]
    assert constrained_latency(steal, 90) == 3.0  # a window flagged for steal is left out


def test_accuracy_limits_use_relative_l2_and_top1() -> None:
    limits = Limits(max_drift=0.05, min_top1=0.99)
    # a worst element 0.085 off but an L2 error of 0.02: the old guard rejected it
    assert limits.violations(1.0, accuracy=Accuracy(0.02, 1.0, 0.085, 8, "random"))["drift"] < 0
    flips = limits.violations(1.0, accuracy=Accuracy(0.02, 0.91, 0.085, 8, "random"))
    assert flips["top1"] == pytest.approx(0.08) and flips["drift"] < 0
    assert "top1" not in limits.violations(1.0, accuracy=Accuracy(0.02, None, 0.1, 8, "random"))
    assert Limits(max_drift=None, min_top1=None).violations(1.0, accuracy=acc(0.5, 0.1)) == {}
