"""Every decision autotune makes about measured configurations, as pure functions.

- which figure a scenario is judged on and which way it is better — the one home of the
  direction (:mod:`._direction`);
- the figures: how windows become a throughput and the latency a limit is judged on, and how
  a config's outputs compare with the f32 reference (:mod:`._figures`);
- the limits and how far a config is from each (:mod:`._limits`);
- intervals with an exact, stated confidence (:mod:`._intervals`);
- claims about a share (pXX ≤ limit, an agreement rate) shown the way MLPerf's loadgen shows
  them, and how many more samples a claim would take (:mod:`._claims`); the proof of a stated
  sustainable rate, look by look (:mod:`._proof`);
- the shipping rule, proven ties and their tie-breaks, and the verdict, with each hint's
  binding constraint (:mod:`._decision`, :mod:`._pairs`, :mod:`._verdict`, :mod:`._explain`);
- every comparison that is shown: each config against the reference hint, the INT8 model
  against the user's, the config shown for each variant (:mod:`._gain`);
- when to look at the confirmation rounds, at what confidence, and whether to measure more
  (:mod:`._sequential`);
- the regression check of ``autotune validate``: the study's limits and the search's
  feasibility and best-hint rule applied to validate's rounds (:mod:`._validation`).

The tuner, confirmation, steering, report, export, validate and ``studies`` call these; none
keeps a copy of a rule, and none divides one config's throughput by another's
(tests/test_layout.py checks it).
"""

from autotune.judge._claims import (
    AGREEMENT_CONFIDENCE,
    TAIL_CONFIDENCE,
    Claim,
    Evidence,
    agreement_claim,
    binomial_cdf,
    format_share,
    lower_bound,
    max_over,
    proven_percentile,
    samples_needed,
    shows,
    tail_claim,
    upper_bound,
)
from autotune.judge._contender import Contender
from autotune.judge._decision import Decision, decide, to_prove
from autotune.judge._direction import (
    SOURCES_HELD,
    SUSTAINABLE_RATE,
    THROUGHPUT,
    Figure,
    figure_of,
    latency_figure,
)
from autotune.judge._explain import finding, ms
from autotune.judge._figures import (
    FEW_BEYOND,
    LATENCY_WINDOW_QUANTILE,
    Accuracy,
    constrained_latency,
    tail_evidence,
    throughput_of,
    typical_latency,
    worst_accuracy,
)
from autotune.judge._gain import Gain
from autotune.judge._intervals import (
    CONFIDENCE,
    MIN_PROVING_ROUNDS,
    Interval,
    coverage,
    format_confidence,
    format_margin,
    median_interval,
    order_rank,
    paired_ratio,
    round_ratios,
)
from autotune.judge._limits import (
    ACCURACY_CONSTRAINTS,
    CONSTRAINTS,
    DEFAULT_MAX_DRIFT,
    DEFAULT_MIN_TOP1,
    Limits,
    feasible,
    missed,
)
from autotune.judge._proof import (
    DEFAULT_CONFIRM_TIME_S,
    PROOF_LOOKS,
    ProofLook,
    ProofPlan,
    RateClaim,
    prove_rate,
    run_proofs,
    stated_rate,
    window_s,
)
from autotune.judge._sequential import (
    DEFAULT_TIE_MARGIN,
    ROUNDS_STEP,
    Look,
    RoundPlan,
    single_look,
)
from autotune.judge._validation import Recorded, ValidationResult, judge_validation

__all__ = [
    "ACCURACY_CONSTRAINTS",
    "AGREEMENT_CONFIDENCE",
    "Claim",
    "DEFAULT_CONFIRM_TIME_S",
    "Evidence",
    "PROOF_LOOKS",
    "ProofLook",
    "ProofPlan",
    "RateClaim",
    "TAIL_CONFIDENCE",
    "agreement_claim",
    "binomial_cdf",
    "format_share",
    "lower_bound",
    "max_over",
    "prove_rate",
    "run_proofs",
    "proven_percentile",
    "samples_needed",
    "shows",
    "stated_rate",
    "tail_claim",
    "tail_evidence",
    "to_prove",
    "upper_bound",
    "window_s",
    "CONFIDENCE",
    "CONSTRAINTS",
    "DEFAULT_MAX_DRIFT",
    "DEFAULT_MIN_TOP1",
    "DEFAULT_TIE_MARGIN",
    "FEW_BEYOND",
    "LATENCY_WINDOW_QUANTILE",
    "MIN_PROVING_ROUNDS",
    "ROUNDS_STEP",
    "Accuracy",
    "Contender",
    "Decision",
    "Figure",
    "SOURCES_HELD",
    "SUSTAINABLE_RATE",
    "THROUGHPUT",
    "figure_of",
    "latency_figure",
    "Gain",
    "Interval",
    "Limits",
    "Look",
    "Recorded",
    "RoundPlan",
    "ValidationResult",
    "constrained_latency",
    "coverage",
    "decide",
    "feasible",
    "finding",
    "format_confidence",
    "format_margin",
    "judge_validation",
    "median_interval",
    "missed",
    "ms",
    "order_rank",
    "paired_ratio",
    "round_ratios",
    "single_look",
    "throughput_of",
    "typical_latency",
    "worst_accuracy",
]
