"""A tie must be proven (issue 21): two configs are tied only when their paired ratio's
interval lies inside the tie margin; an interval that is merely wide is inconclusive, and then
the higher paired estimate ships. More rounds are looked at with a stricter confidence."""

from __future__ import annotations

import pytest

from autotune.judge import (
    DEFAULT_TIE_MARGIN,
    Contender,
    Interval,
    Limits,
    RoundPlan,
    decide,
    paired_ratio,
)
from tests.builders import DRIFTING, HINT, LIMITS, contender, scaled

# The byte classifier of issue 21 at --max-latency 15.09ms: both hints meet the limit.
LOOSE = Limits(max_latency_ms=15.09, percentile=90, max_drift=0.05, min_top1=0.99)
# THROUGHPUT hint, FPS per round: two bad rounds (3 and 7) where it lost a third of its speed.
THROUGHPUT = [416.0, 421.0, 412.0, 262.0, 418.0, 430.0, 415.0, 245.0, 419.0, 414.0]
# LATENCY ÷ THROUGHPUT round by round: about 0.73, except the two bad rounds.
LATENCY_SHARE = [0.72, 0.65, 0.75, 1.084, 0.71, 0.62, 0.748, 1.15, 0.70, 0.76]
LATENCY = scaled(THROUGHPUT, LATENCY_SHARE)
# The best tuned config: 1.55× the LATENCY hint [1.22, 1.57], not proven against THROUGHPUT.
TUNED = scaled(LATENCY, [1.55, 1.56, 1.22, 1.57, 1.55, 1.60, 1.21, 1.54, 1.56, 1.55])


def issue_case(rounds: int = 10) -> list[Contender]:
    return [
        contender("lat", LATENCY[:rounds], hint="LATENCY", latency=3.7, limits=LOOSE),
        contender("tput", THROUGHPUT[:rounds], hint="THROUGHPUT", latency=5.1, limits=LOOSE),
        contender("tuned1", TUNED[:rounds], latency=6.0, limits=LOOSE),
    ]


def test_the_issue_case_reproduces_its_interval() -> None:
    r = paired_ratio(LATENCY, THROUGHPUT)
    assert r.estimate == pytest.approx(0.734, abs=0.001)
    assert (r.low, r.high) == (pytest.approx(0.65), pytest.approx(1.084))
    assert r.confidence == pytest.approx(0.9785, abs=1e-4)
    assert not r.above_one and not r.below_one and not r.within(DEFAULT_TIE_MARGIN)
    tuned = paired_ratio(TUNED, LATENCY)
    assert tuned.estimate == pytest.approx(1.55) and (tuned.low, tuned.high) == (1.22, 1.57)


def test_a_wide_interval_is_not_a_tie_the_throughput_hint_ships() -> None:
    """Old behaviour: 'tied: the LATENCY hint ships' at 0.72× the THROUGHPUT hint, because one
    or two bad rounds stretched the interval over 1."""
    d = decide(issue_case(), LOOSE)
    assert d.winner is not None and d.winner.key == "tput" and d.shipped_hint
    assert d.reference_hint is not None and d.reference_hint.key == "tput"
    assert d.tied == () and not d.significant
    assert d.verdict.startswith(
        "the THROUGHPUT hint ships: 1.36× the LATENCY hint's estimate; the rounds could not "
        "separate them at 97.9 % (CI 0.92–1.54, 10 rounds) — no tuned configuration is proven "
        "faster than every feasible hint (best: tuned1 (CPU), 1.10× the hint"
    )
    # More rounds could change what ships: a proven tie would ship the LATENCY hint, a proven
    # gain the tuned config.
    assert d.undecided == ("THROUGHPUT hint vs LATENCY hint", "tuned1 (CPU) vs THROUGHPUT hint")
    assert d.rounds_note.endswith(
        "inconclusive at 10 rounds, the budget (raise --max-rounds to measure more)"
    )


def test_each_rounds_ratio_is_visible_so_the_bad_rounds_stand_out() -> None:
    d = decide(issue_case(), LOOSE)
    per_round = d.round_ratios["LATENCY"]  # the THROUGHPUT winner ÷ the LATENCY hint
    assert per_round == pytest.approx([1 / share for share in LATENCY_SHARE])
    assert [i for i, r in enumerate(per_round) if r is not None and r < 1] == [3, 7]
    assert d.round_ratios["THROUGHPUT"] == pytest.approx([1.0] * 10)


def test_a_proven_tie_ships_the_lower_latency_hint() -> None:
    """THROUGHPUT 2 % ahead by its estimate, the interval inside ±5 % on a machine drifting by
    ±30 %: the hints are tied, and the tie goes to the lower latency."""
    share = [1.02, 0.99, 1.03, 1.01, 1.04, 1.02, 0.98, 1.02, 1.03, 1.01]
    d = decide(
        [
            contender("tput", scaled(DRIFTING, share), hint="THROUGHPUT", latency=3.0),
            contender("lat", HINT, hint="LATENCY", latency=1.2),
        ],
        LIMITS,
    )
    assert paired_ratio(scaled(DRIFTING, share), HINT).within(0.05)
    assert d.winner is not None and d.winner.key == "lat" and d.tied == ("THROUGHPUT hint",)
    assert d.reference_hint is not None and d.reference_hint.key == "tput"
    assert d.decisive and d.rounds_note == ""
    assert d.verdict.startswith(
        "tied: the LATENCY hint ships on the tie-break — within ±5 % of the THROUGHPUT hint "
        "(0.98× it, 97.9 % CI "
    )
    assert d.verdict.endswith("with the lower p90 latency (1.2 ms vs 3 ms)")
    assert d.tie_break == (
        "proven tied with the THROUGHPUT hint (within ±5 %); the tie-break prefers the lower "
        "p90 latency (1.2 ms vs 3 ms)"
    )


def test_a_close_call_outside_the_margin_ships_the_higher_estimate() -> None:
    """The same hints, the interval reaching 7 % — inconclusive, not tied: THROUGHPUT ships."""
    share = [1.02, 0.98, 1.03, 1.01, 1.07, 1.02, 0.97, 1.02, 1.07, 1.01]
    d = decide(
        [
            contender("tput", scaled(DRIFTING, share), hint="THROUGHPUT", latency=3.0),
            contender("lat", HINT, hint="LATENCY", latency=1.2),
        ],
        LIMITS,
    )
    assert d.winner is not None and d.winner.key == "tput" and d.tied == ()
    assert d.undecided == ("THROUGHPUT hint vs LATENCY hint",)
    assert "the rounds could not separate them at 97.9 %" in d.verdict


def test_a_tie_margin_of_ten_percent_ties_what_five_percent_does_not() -> None:
    share = [1.02, 0.98, 1.03, 1.01, 1.07, 1.02, 0.97, 1.02, 1.07, 1.01]
    hints = [
        contender("tput", scaled(DRIFTING, share), hint="THROUGHPUT", latency=3.0),
        contender("lat", HINT, hint="LATENCY", latency=1.2),
    ]
    d = decide(hints, LIMITS, plan=RoundPlan(10, 10, tie_margin=0.10))
    assert d.winner is not None and d.winner.key == "lat" and d.tie_margin == 0.10
    assert "within ±10 %" in d.verdict


def test_an_inconclusive_tuned_config_does_not_ship() -> None:
    """1.08× the only hint by its estimate, but 2 of 10 rounds slower: not proven faster, not
    a tie either — the hint ships and the comparison is left open for more rounds."""
    gain = [1.08, 1.12, 0.97, 1.09, 1.10, 0.95, 1.07, 1.11, 1.06, 1.08]
    d = decide(
        [contender("tuned1", scaled(HINT, gain)), contender("tput", HINT, hint="THROUGHPUT")],
        LIMITS,
    )
    assert d.winner is not None and d.winner.key == "tput" and not d.significant
    assert d.undecided == ("tuned1 (CPU) vs THROUGHPUT hint",)
    assert "no tuned configuration is proven faster than every feasible hint" in d.verdict


def test_a_tuned_config_tied_with_the_hint_is_settled() -> None:
    """Inside ±5 % of the hint and not above 1: a proven tie, which the hint wins — nothing
    left to measure."""
    gain = [1.01, 0.99, 1.02, 1.00, 1.03, 0.98, 1.01, 1.02, 1.00, 1.01]
    d = decide(
        [contender("tuned1", scaled(HINT, gain)), contender("tput", HINT, hint="THROUGHPUT")],
        LIMITS,
    )
    assert d.winner is not None and d.winner.key == "tput" and d.tied == ("tuned1 (CPU)",)
    assert d.decisive
    assert d.verdict.startswith(
        "tied: the THROUGHPUT hint ships — the best tuned configuration is within ±5 % of it"
    )


def test_proven_tuned_configs_not_separated_ship_the_higher_estimate() -> None:
    """Both proven faster than the hint; 4 % apart by the estimate with an interval of ±8 %:
    not a tie, so no tie-break to the lower latency — the higher estimate ships."""
    lead = [1.30, 1.25, 1.36, 1.31, 1.22, 1.33, 1.29, 1.38, 1.30, 1.31]
    other = [1.25, 1.27, 1.24, 1.26, 1.25, 1.26, 1.24, 1.27, 1.25, 1.26]
    d = decide(
        [
            contender("tuned1", scaled(HINT, lead), latency=4.0),
            contender("tuned2", scaled(HINT, other), latency=2.0),
            contender("tput", HINT, hint="THROUGHPUT"),
        ],
        LIMITS,
    )
    assert d.winner is not None and d.winner.key == "tuned1" and d.tied == ()
    assert "the rounds could not separate them" in d.verdict
    # tuned2 would win a tie (lower latency): more rounds could change what ships
    assert d.undecided == ("tuned1 (CPU) vs tuned2 (CPU)",)


def test_the_tie_band_is_symmetric_and_needs_the_confidence() -> None:
    inside = Interval(1.0, 1 / 1.05 + 1e-9, 1.05, 10, 0.9785)
    assert inside.within(0.05) and inside.tied(0.05)
    assert not Interval(1.0, 0.95, 1.04, 10, 0.9785).within(0.05)  # 0.95 < 1/1.05
    assert not Interval(1.0, 0.99, 1.01, 5, 0.9375).within(0.05)  # 5 rounds prove nothing
    proven_faster = Interval(1.03, 1.01, 1.04, 10, 0.9785)
    assert proven_faster.within(0.05) and not proven_faster.tied(0.05)  # an order, not a tie


def test_later_looks_share_the_error_budget() -> None:
    """The first look keeps 97.9 % at 10 rounds; each later look is stricter, and the error
    rates of all looks add up to at most 5 %."""
    looks = RoundPlan(planned=10, budget=20).looks()
    assert [look.rounds for look in looks] == [10, 15, 20]
    assert looks[0].confidence == pytest.approx(0.9785, abs=1e-4)
    assert [round(look.confidence, 3) for look in looks[1:]] == [0.993, 0.988]
    assert all(look.confidence >= look.target for look in looks)
    assert sum(1 - look.confidence for look in looks) <= 0.05
    for planned, budget in [(6, 20), (10, 50), (5, 20), (2, 40), (10, 22)]:
        plan = RoundPlan(planned, budget)
        spent = sum(1 - look.confidence for look in plan.looks() if look.confidence >= 0.95)
        assert spent <= 0.05, (planned, budget)
        assert plan.looks()[-1].rounds <= budget and plan.more(plan.looks()[-1].rounds) == 0
    single = RoundPlan(10, 10)
    assert len(single.looks()) == 1 and single.more(10) == 0
    assert RoundPlan(10, 20).more(10) == 5 and RoundPlan(10, 22).more(20) == 2


def test_more_rounds_settle_the_issue_case_at_a_stricter_confidence() -> None:
    """Five more rounds without a bad one: at 15 rounds (99.3 %) THROUGHPUT is proven faster
    than LATENCY, and the account says why the rounds were added."""
    plan = RoundPlan(planned=10, budget=20)
    first = decide(issue_case(), LOOSE, plan=plan)
    assert not first.decisive and first.confidence == pytest.approx(0.9785, abs=1e-4)
    more_tput = [417.0, 420.0, 415.0, 422.0, 418.0]
    steady = [0.73, 0.74, 0.72, 0.75, 0.73]
    rounds = {
        "lat": LATENCY + scaled(more_tput, steady),
        "tput": THROUGHPUT + more_tput,
        "tuned1": TUNED + scaled(more_tput, [0.70, 0.71, 0.69, 0.72, 0.70]),  # now slower
    }
    again = [
        contender(
            c.key,
            rounds[c.key],
            hint=c.presets[0] if c.presets else None,
            latency=lat,
            limits=LOOSE,
        )
        for c, lat in zip(issue_case(), (3.7, 5.1, 6.0), strict=True)
    ]
    d = decide(again, LOOSE, plan=plan, earlier=[first])
    assert d.winner is not None and d.winner.key == "tput" and d.decisive
    assert d.ratios["LATENCY"].above_one and d.ratios["LATENCY"].confidence == pytest.approx(
        0.9926, abs=1e-4
    )
    assert [look.rounds for look in d.looks] == [10, 15]
    assert d.rounds_note == (
        "10 + 5 rounds: THROUGHPUT hint vs LATENCY hint, tuned1 (CPU) vs THROUGHPUT hint were "
        "inconclusive at 10 rounds; decided at 15 (99.3 %)"
    )
    assert d.verdict == (
        "the THROUGHPUT hint is the best configuration found: no tuned configuration beat it in "
        "the confirmation rounds"
    )
