"""The shipping rule and its words, as pure functions: every rule with a case the old
behaviour got wrong."""

from __future__ import annotations

import pytest

from autotune.judge import Contender, Limits, decide
from tests.builders import (
    ALWAYS_FASTER,
    DRIFTING,
    HINT,
    LIMITS,
    SOMETIMES_FASTER,
    acc,
    contender,
    scaled,
)

# --- the shipping rule ----------------------------------------------------------------------


def test_a_gain_that_is_not_significant_ships_the_hint() -> None:
    """Old behaviour: the tuned config shipped with 'no significant gain over the hint'; later
    the hint shipped calling the two 'tied', which an interval as wide as ±7 % does not show."""
    d = decide(
        [contender("tuned1", SOMETIMES_FASTER), contender("tput", HINT, hint="THROUGHPUT")], LIMITS
    )
    assert d.winner is not None and d.winner.key == "tput" and d.shipped_hint
    assert not d.significant and d.tied == ()
    assert d.undecided == ("tuned1 (CPU) vs THROUGHPUT hint",) and not d.decisive
    assert d.verdict == (
        "the THROUGHPUT hint ships — no tuned configuration is proven faster than every "
        "feasible hint (best: tuned1 (CPU), 1.05× the hint, 97.9 % CI 0.98–1.07, 10 rounds)"
    )


def test_a_significant_gain_ships_the_tuned_config() -> None:
    d = decide(
        [contender("tuned1", ALWAYS_FASTER), contender("tput", HINT, hint="THROUGHPUT")], LIMITS
    )
    assert d.winner is not None and d.winner.key == "tuned1" and d.significant
    assert d.ratios["THROUGHPUT"].above_one
    assert d.verdict.startswith(
        "1.10× the throughput of the THROUGHPUT hint (97.9 % CI 1.10–1.10, 10 rounds)"
    )


def test_a_hint_on_the_int8_model_is_a_contender_not_a_baseline() -> None:
    """An INT8 hint that is not proven faster than the user's own hint does not ship, however
    close; one that is proven faster ships with its ratio against the user's hint."""
    close = [
        contender("int8", SOMETIMES_FASTER, hint="THROUGHPUT int8"),
        contender("tput", HINT, hint="THROUGHPUT"),
    ]
    d = decide(close, LIMITS)
    assert d.winner is not None and d.winner.key == "tput" and d.shipped_hint
    assert d.reference_hint is not None and d.reference_hint.key == "tput"
    faster = [contender("int8", ALWAYS_FASTER, hint="THROUGHPUT int8"), close[1]]
    d = decide(faster, LIMITS)
    assert d.winner is not None and d.winner.key == "int8" and d.significant
    assert not d.shipped_hint and d.reference_hint is not None
    assert d.reference_hint.key == "tput"
    assert d.verdict.startswith("1.10× the throughput of the THROUGHPUT hint")


def test_a_tuned_config_must_beat_every_feasible_hint() -> None:
    faster_latency_hint = scaled(DRIFTING, [1.08] * 10)
    d = decide(
        [
            contender(
                "tuned1",
                scaled(DRIFTING, [1.09, 1.07, 1.10, 1.06, 1.08, 1.09, 1.07, 1.08, 1.10, 1.07]),
            ),
            contender("tput", HINT, hint="THROUGHPUT", latency=3.0),
            contender("lat", faster_latency_hint, hint="LATENCY", latency=1.0),
        ],
        LIMITS,
    )
    assert d.winner is not None and d.winner.key == "lat"  # beats THROUGHPUT, not LATENCY


@pytest.mark.parametrize(
    ("first", "second", "expected", "why"),
    [
        ({"latency": 4.0}, {"latency": 3.0}, "tuned2", "lower constrained latency"),
        (
            {"latency": 3.0, "memory": 90e6},
            {"latency": 3.0, "memory": 40e6},
            "tuned2",
            "lower memory",
        ),
        (
            {"latency": 3.0, "device": "BATCH:CPU"},
            {"latency": 3.0, "device": "AUTO"},
            "tuned2",
            "simpler device",
        ),
        (
            {"latency": 3.0, "device": "AUTO"},
            {"latency": 3.0, "device": "CPU"},
            "tuned2",
            "simpler device",
        ),
    ],
)
def test_tie_breaks_among_statistically_tied_configs(
    first: dict, second: dict, expected: str, why: str
) -> None:
    """Both beat the hint, neither beats the other: the old rule shipped the higher median."""
    higher_median = scaled(DRIFTING, [1.21, 1.18, 1.22, 1.19, 1.20, 1.22, 1.18, 1.21, 1.19, 1.20])
    lower_median = scaled(DRIFTING, [1.19, 1.20, 1.18, 1.21, 1.19, 1.18, 1.20, 1.19, 1.21, 1.18])
    d = decide(
        [
            contender("tuned1", higher_median, **first),
            contender("tuned2", lower_median, **second),
            contender("tput", HINT, hint="THROUGHPUT"),
        ],
        LIMITS,
    )
    assert d.winner is not None and d.winner.key == expected, why
    assert d.tied == ("tuned1 (" + first.get("device", "CPU") + ")",)
    assert "tied with 1 other tuned config(s)" in d.verdict


def test_tied_hints_prefer_the_lower_latency() -> None:
    d = decide(
        [
            contender(
                "tput", scaled(DRIFTING, [1.01] * 5 + [0.99] * 5), hint="THROUGHPUT", latency=3.0
            ),
            contender("lat", HINT, hint="LATENCY", latency=1.2),
        ],
        LIMITS,
    )
    assert d.winner is not None and d.winner.key == "lat"


def test_without_confirmation_rounds_nothing_tuned_ships_over_a_feasible_hint() -> None:
    """Old behaviour: --confirm-top 0 shipped the search's best as better than the hints."""
    d = decide(
        [
            contender("tuned1", ALWAYS_FASTER, confirmed=False),
            contender("tput", HINT, hint="THROUGHPUT", confirmed=False),
        ],
        LIMITS,
    )
    assert d.winner is not None and d.winner.key == "tput" and not d.confirmed
    assert "was not confirmed" in d.verdict and "1.10× in the search" in d.verdict


def test_only_a_tuned_config_qualifies() -> None:
    d = decide(
        [
            contender("tuned1", ALWAYS_FASTER),
            contender("tput", HINT, hint="THROUGHPUT", latency=9.0),
        ],
        LIMITS,
    )
    assert d.winner is not None and d.winner.key == "tuned1" and d.significant
    assert d.verdict == "no hint preset meets the limits; the tuned configuration does"
    assert d.findings == (
        "the THROUGHPUT hint in bf16 keeps its outputs (relative L2 0.004 ≤ 0.05) but takes 9 ms at p90 (limit 5 ms)",
    )


def test_confirmation_figures_decide_feasibility() -> None:
    """A candidate feasible in the search but over the limit in the confirmation rounds does
    not ship; when no candidate is feasible in the rounds, the judge falls back to the search."""
    over = contender("tuned1", ALWAYS_FASTER, latency=6.0)
    d = decide([over, contender("tput", HINT, hint="THROUGHPUT")], LIMITS)
    assert d.winner is not None and d.winner.key == "tput"
    busy = [
        contender("tuned1", ALWAYS_FASTER, latency=6.0),
        contender("tput", HINT, hint="THROUGHPUT", latency=6.0),
    ]
    search = [
        contender("tuned1", ALWAYS_FASTER, latency=4.0, confirmed=False),
        contender("tput", HINT, hint="THROUGHPUT", latency=3.0, confirmed=False),
    ]
    fallback = decide(busy, LIMITS, search=search)
    assert not fallback.confirmed and fallback.winner is not None and fallback.winner.key == "tput"
    assert "was not confirmed in interleaved rounds" in fallback.verdict
    no_hint = decide(busy[:1], LIMITS, search=search[:1])
    assert no_hint.winner is not None and no_hint.winner.key == "tuned1"
    assert no_hint.verdict.startswith(
        "no hint preset meets the limits; the search's best configuration ships, not confirmed"
    )


# --- accuracy, explained -------------------------------------------------------------------


def accuracy_case(limit_ms: float) -> list[Contender]:
    """The int-input classifier: bf16 drifts, f32 is accurate but slower."""
    limits = Limits(max_latency_ms=limit_ms, percentile=90, max_drift=0.05, min_top1=0.99)
    drifting = acc(0.085, 0.91)
    exact = acc(1e-6, 1.0)
    bf16_tput = [620.0] * 10
    return [
        contender(
            "lat", [600.0] * 10, hint="LATENCY", latency=1.6, accuracy=drifting, limits=limits
        ),
        contender(
            "tput", bf16_tput, hint="THROUGHPUT", latency=3.0, accuracy=drifting, limits=limits
        ),
        contender(
            "lat32",
            [380.0] * 10,
            hint="LATENCY f32",
            latency=2.5,
            precision="f32",
            accuracy=exact,
            limits=limits,
        ),
        contender(
            "tput32",
            [370.0] * 10,
            hint="THROUGHPUT f32",
            latency=5.0,
            precision="f32",
            accuracy=exact,
            limits=limits,
        ),
        contender(
            "tuned1",
            [388.0, 389, 387, 390, 388, 389, 388, 387, 389, 390],
            latency=5.5,
            precision="f32",
            accuracy=exact,
            limits=limits,
        ),
    ]


def test_exit_3_names_the_binding_constraint_of_each_hint() -> None:
    """Old behaviour: 'no configuration meets …; closest is trial #7 (an unrelated BATCH f32 trial)'."""
    limits = Limits(max_latency_ms=2.2, percentile=90, max_drift=0.05, min_top1=0.99)
    d = decide(accuracy_case(2.2), limits)
    assert d.winner is None
    assert (
        "the LATENCY hint in bf16 meets p90 ≤ 2.2 ms (1.6 ms) but drifts 0.085 > 0.05 (relative L2 vs f32) and changes top-1 answers (agreement 0.91 < 0.99)"
        in d.problem
    )
    assert (
        "the LATENCY hint, f32 keeps its outputs (relative L2 1e-06 ≤ 0.05) but takes 2.5 ms at p90 (limit 2.2 ms)"
        in d.problem
    )
    assert "--max-latency 2.5ms, or --max-drift 0.085 with --min-top1 0.91" in d.fix
    assert "--inputs DIR" in d.fix  # the drift was judged on random inputs


def test_when_drift_excludes_the_default_hints_the_f32_hints_are_the_baseline() -> None:
    """Old behaviour: 'no hint preset meets the limit', silent about why, no fair baseline."""
    limits = Limits(max_latency_ms=7.0, percentile=90, max_drift=0.05, min_top1=0.99)
    d = decide(accuracy_case(7.0), limits)
    assert (
        d.winner is not None and d.winner.key == "tuned1"
    )  # 1.02× the f32 LATENCY hint, every round
    assert d.reference_hint is not None and d.reference_hint.key == "lat32"
    assert d.verdict.startswith(
        "the default bf16 changes the outputs (relative L2 0.085, top-1 agreement 0.91 on 8 seeded random samples); fastest accurate config: tuned1 (CPU), 1.02× the LATENCY hint, f32, 0.63× the THROUGHPUT hint in bf16 — 1.02× the throughput of the LATENCY hint, f32"
    )
    assert any("seeded random inputs" in n for n in d.notes)
    assert d.ratios["THROUGHPUT"].estimate == pytest.approx(388.5 / 620, rel=1e-3)


def test_an_output_the_guard_cannot_compare_fails_it_by_name() -> None:
    """A batched config whose detection head returned [1,7098,6] where f32 gave [1,3549,6]:
    its accuracy is unknown, never 0, and a config with unknown accuracy does not ship."""
    from dataclasses import replace

    unknown = replace(
        acc(rel_l2=0.0),
        rel_l2=None,
        unknown={"output": "sample 0 of 'output' is [1, 7098, 6], the f32 model's [1, 3549, 6]"},
    )
    tuned = contender("batched", ALWAYS_FASTER, accuracy=unknown)
    assert tuned.violations["unknown"] > 0 and "unknown" in tuned.missed
    d = decide([tuned, contender("tput", HINT, hint="THROUGHPUT")], LIMITS)
    assert d.winner is not None and d.winner.key == "tput"
    hint_unknown = contender("lat", HINT, hint="LATENCY", accuracy=unknown)
    d = decide([hint_unknown], LIMITS)
    assert d.winner is None
    assert "cannot be checked against f32 (output 'output': sample 0 of 'output' is" in d.problem
    # without any accuracy limit, nothing is claimed about accuracy, so nothing fails
    free = contender("batched", ALWAYS_FASTER, accuracy=unknown, limits=Limits(max_latency_ms=5))
    assert "unknown" not in free.violations
