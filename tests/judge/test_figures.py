"""How windows become figures (the latency rule) and what the accuracy limits demand."""

from __future__ import annotations

from dataclasses import replace

import pytest

from autotune.judge import Accuracy, Limits, constrained_latency, tail_evidence
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


def test_an_agreement_is_stated_with_its_samples_and_bound() -> None:
    """32 of 32 samples agreeing: ≥ 0.91 at 95 %, and showing ≥ 0.99 takes 299."""
    agreed = Accuracy(0.01, 1.0, 0.02, 32, "inputs", top1_agreeing=32)
    assert agreed.top1_text(0.99) == (
        "32/32 samples agree, ≥ 0.911 at 95.0 %; showing ≥ 0.99 takes 299 samples"
    )
    assert "top-1 agreement 1.00 (32/32 samples agree" in agreed.describe()
    claim = agreed.top1_claim(0.99)
    assert claim is not None and not claim.holds
    many = replace(agreed, samples=300, top1_agreeing=300)
    assert many.top1_claim(0.99) is not None and many.top1_claim(0.99).holds  # type: ignore[union-attr]
    assert many.top1_text(0.99) == "300/300 samples agree, ≥ 0.99 at 95.0 %"
    # an unsupported limit is not a failure: the figure meets it (the verdict says the rest)
    assert Limits(min_top1=0.99).violations(1.0, accuracy=agreed)["top1"] <= 0
    record = Accuracy.from_record(agreed.to_record())
    assert record is not None and record.top1_agreeing == 32


def few(i: int, requests: int, over: int, runs_sq: int | None = None) -> object:
    return replace(window(i, 100.0, 5.0), requests=requests, over=over, over_sq=runs_sq or over)


def test_short_windows_judge_the_limit_on_the_requests_over_it() -> None:
    """p99 from 100-request windows is the slowest request: the limit becomes a claim about
    the requests over it, pooled (5 × 100 with none over shows only ≤ 0.92 % at 99 %: met;
    one over: not shown)."""
    none_over = [few(i, 100, 0) for i in range(5)]
    claim = tail_evidence(none_over, 99)  # type: ignore[arg-type]
    assert claim is not None and claim.n == 500 and claim.holds
    one_over = [few(0, 100, 1), *none_over[1:]]
    unshown = tail_evidence(one_over, 99)  # type: ignore[arg-type]
    assert unshown is not None and not unshown.holds
    limits = Limits(max_latency_ms=20.0, percentile=99)
    assert limits.violations(5.0, tail=claim)["latency"] < 0
    assert limits.violations(5.0, tail=unshown)["latency"] > 0  # the windows' p99 met it
    # windows long enough for their percentile keep the quartile rule
    assert tail_evidence([few(i, 100, 0) for i in range(5)], 90) is None  # type: ignore[arg-type]
    # a run of 4 over the limit in a row weighs as one
    bursty = tail_evidence([few(0, 400, 4, 16), few(1, 400, 0)], 99)  # type: ignore[arg-type]
    assert bursty is not None and (bursty.n, bursty.over) == (200, 1)
