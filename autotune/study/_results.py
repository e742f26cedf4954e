"""Views of what a study holds: one :class:`ConfigResult` per unique effective configuration
(its trials' windows pooled), the stored confirmation rounds, and :func:`study_decision`, the
judge's verdict on all of it.

Every figure the tuner, report, export and ``studies`` show comes from here, computed by the
judge's rules, so a config has one figure wherever it appears.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from autotune.core import EffectiveConfig, RuntimeConfig, preset_label, simplicity
from autotune.judge import (
    DEFAULT_TIE_MARGIN,
    THROUGHPUT,
    Accuracy,
    Claim,
    Contender,
    Decision,
    Figure,
    Interval,
    Limits,
    RateClaim,
    RoundPlan,
    constrained_latency,
    decide,
    feasible,
    median_interval,
    stated_rate,
    tail_evidence,
    throughput_of,
    typical_latency,
    worst_accuracy,
)
from autotune.measure import Stability, Window, judge_stability, select_windows
from autotune.study._proofs import Proofs
from autotune.study._record import TrialResult


@dataclass(frozen=True)
class ConfigResult:
    """A unique effective configuration with every window measured for it, pooled.

    ``config`` is the simplest request that produced it (a hint preset, else the simplest
    device with the fewest knobs): that is what ships, e.g. CPU rather than AUTO.
    """

    key: str
    config: RuntimeConfig
    effective: EffectiveConfig
    trials: tuple[int, ...]
    presets: tuple[str, ...]
    windows: tuple[Window, ...]
    percentile: float
    throughput_fps: float  # search figure: median over the pooled windows
    constrained_latency_ms: float
    latency_ms: dict[str, float]  # p50/p90/p99: median over windows
    first_inference_ms: float
    compile_ms: float
    to_first_result_ms: float  # cached compile + first inference: what a restart costs
    memory_bytes: float | None
    accuracy: Accuracy | None
    violations: dict[str, float]
    figure: Figure = THROUGHPUT  # what the study judges configs on (the judge's, per scenario)
    tail: Claim | None = None  # few-sample windows: the limit as a claim (tail_evidence)

    @property
    def feasible(self) -> bool:
        return feasible(self.violations)

    @property
    def figure_value(self) -> float:
        """The search figure: ``throughput_fps`` offline and in the server scenario, the
        latency percentile (ms) in single-stream."""
        if self.figure.latency_key is None:
            return self.throughput_fps
        return self.figure.of_windows(self.windows)

    @property
    def label(self) -> str:
        if self.presets:
            return " = ".join(preset_label(p) for p in self.presets)
        return self.config.describe()

    @property
    def precision(self) -> str:
        return self.effective.properties.get("INFERENCE_PRECISION_HINT", "?")

    def stability(self) -> Stability:
        return judge_stability(self.windows)

    @property
    def first_trial(self) -> int:
        return self.trials[0]


def _median(values: Iterable[float | None]) -> float:
    data = [v for v in values if v is not None and math.isfinite(v)]
    return statistics.median(data) if data else math.nan


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def unique_configs(trials: Sequence[TrialResult], limits: Limits) -> list[ConfigResult]:
    """Group completed trials by effective identity; pool the windows of the measured ones.

    Ordered by the first trial of each group.
    """
    groups: dict[str, list[TrialResult]] = {}
    for trial in trials:
        if trial.complete and trial.key:
            groups.setdefault(trial.key, []).append(trial)
    results = []
    for key, members in groups.items():
        measured = [t for t in members if t.measured]
        if not measured:
            continue
        windows = tuple(w for t in measured for w in t.windows)
        shipped = min(
            (t for t in members if t.config is not None),
            key=lambda t: (*simplicity(t.config), t.number),  # type: ignore[arg-type]
        )
        assert shipped.config is not None and measured[0].effective is not None
        latency = constrained_latency(windows, limits.percentile)
        tail = tail_evidence(windows, limits.percentile) if limits.max_latency_ms else None
        memory = _finite(_median(t.memory.get("peak_delta_bytes") for t in measured))
        accuracy = worst_accuracy([Accuracy.from_record(t.accuracy) for t in measured])
        to_first_result = _finite(_median(t.metrics.get("to_first_result_ms") for t in measured))
        presets = tuple(sorted({t.preset for t in members if t.preset}))
        config = shipped.config
        if config.preset is None and presets:
            config = config.with_preset(presets[0])
        results.append(
            ConfigResult(
                key=key,
                config=config,
                effective=measured[0].effective,
                trials=tuple(t.number for t in members),
                presets=presets,
                windows=windows,
                percentile=limits.percentile,
                throughput_fps=throughput_of(windows),
                constrained_latency_ms=latency,
                latency_ms=typical_latency(windows),
                first_inference_ms=_median(t.metrics.get("first_inference_ms") for t in measured),
                compile_ms=_median(t.metrics.get("compile_ms") for t in measured),
                to_first_result_ms=to_first_result if to_first_result is not None else math.nan,
                memory_bytes=memory,
                accuracy=accuracy,
                violations=limits.violations(
                    latency,
                    memory,
                    accuracy,
                    to_first_result,
                    rate=throughput_of(windows),
                    tail=tail,
                ),
                figure=limits.figure,
                tail=tail,
            )
        )
    return results


def best_by_search(configs: Sequence[ConfigResult]) -> ConfigResult | None:
    """The feasible configuration with the best search figure (progress display only: what
    ships is the judge's decision)."""
    return ranked_feasible(configs)[0] if ranked_feasible(configs) else None


def ranked_feasible(configs: Sequence[ConfigResult]) -> list[ConfigResult]:
    """The feasible configs, best search figure first (the figure says which way is better)."""
    return sorted((c for c in configs if c.feasible), key=lambda c: -c.figure.rank(c.figure_value))


@dataclass(frozen=True)
class ConfirmedCandidate:
    """One configuration re-measured in the interleaved confirmation rounds."""

    key: str
    label: str
    windows: tuple[Window, ...]  # one per round, ``index`` = round

    def round_throughputs(self) -> list[float]:
        return [w.throughput_fps for w in sorted(self.windows, key=lambda w: w.index)]

    def round_figures(self, figure: Figure) -> list[float]:
        """Each round's figure (its latency percentile when the figure is a latency)."""
        return [figure.of_window(w) for w in sorted(self.windows, key=lambda w: w.index)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "windows": [w.to_dict() for w in self.windows],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConfirmedCandidate:
        return cls(
            key=str(data["key"]),
            label=str(data.get("label", "")),
            windows=tuple(Window.from_dict(w) for w in data["windows"]),
        )


@dataclass(frozen=True)
class Confirmation:
    """The interleaved confirmation rounds of a study (measurements only: the decision is
    recomputed by the judge wherever it is needed, so it cannot go stale).

    ``rounds`` were measured: ``planned`` first, then more while the judge's looks were
    inconclusive, up to ``max_rounds``; with ``tie_margin`` they say how the rounds are judged
    (a study stored before sequential rounds judges its rounds once, as they are)."""

    candidates: tuple[ConfirmedCandidate, ...]
    rounds: int
    window_s: float
    planned: int = 0  # 0: as many as ``rounds``
    max_rounds: int = 0  # 0: as many as ``rounds``
    tie_margin: float = DEFAULT_TIE_MARGIN
    proofs: Proofs | None = None  # server scenario: the proofs of the stated rates

    def get(self, key: str) -> ConfirmedCandidate | None:
        return next((c for c in self.candidates if c.key == key), None)

    def claim(self, key: str) -> RateClaim | None:
        """What the proof of this config's stated rate shows (None: it was not proven)."""
        return self.proofs.claim(key) if self.proofs is not None else None

    def plan(self) -> RoundPlan:
        """How the judge looks at these rounds."""
        planned = self.planned or self.rounds
        return RoundPlan(
            planned=planned,
            budget=max(self.max_rounds or self.rounds, planned),
            tie_margin=self.tie_margin,
        )

    def first(self, rounds: int) -> Confirmation:
        """The rounds as they stood at an earlier look: the first ``rounds`` of each candidate."""
        return replace(
            self,
            candidates=tuple(
                replace(c, windows=tuple(w for w in c.windows if w.index < rounds))
                for c in self.candidates
            ),
            rounds=rounds,
            proofs=None,  # the proofs came after every round
        )

    def extended(self, more: Sequence[Sequence[Window]]) -> Confirmation:
        """These rounds and ``more`` (per candidate, in order, indexed after these)."""
        added = {len(w) for w in more}
        assert len(more) == len(self.candidates) and len(added) == 1
        return replace(
            self,
            candidates=tuple(
                replace(c, windows=c.windows + tuple(w))
                for c, w in zip(self.candidates, more, strict=True)
            ),
            rounds=self.rounds + added.pop(),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "candidates": [c.to_dict() for c in self.candidates],
            "rounds": self.rounds,
            "window_s": self.window_s,
            "planned": self.planned or self.rounds,
            "max_rounds": self.max_rounds or self.rounds,
            "tie_margin": self.tie_margin,
            **({"proofs": self.proofs.to_dict()} if self.proofs is not None else {}),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Confirmation:
        return cls(
            candidates=tuple(ConfirmedCandidate.from_dict(c) for c in data["candidates"]),
            rounds=int(data.get("rounds", 0)),
            window_s=float(data.get("window_s", 0.0)),
            planned=int(data.get("planned", 0)),
            max_rounds=int(data.get("max_rounds", 0)),
            tie_margin=float(data.get("tie_margin", DEFAULT_TIE_MARGIN)),
            proofs=Proofs.from_dict(data["proofs"]) if data.get("proofs") else None,
        )


def contender(
    config: ConfigResult,
    limits: Limits,
    confirmed: ConfirmedCandidate | None,
    claim: RateClaim | None = None,
) -> Contender:
    """A config as the judge sees it: with its confirmation rounds when it has some, and the
    proof of its stated rate (server scenario) when it was proven. Without rounds, its figure
    is the search's: the median and its interval over the same windows (those that count,
    :func:`~autotune.measure.select_windows`)."""
    figure = limits.figure
    search = median_interval([figure.of_window(w) for w in select_windows(config.windows)])
    if confirmed is not None and confirmed.windows:
        rounds = confirmed.round_figures(figure)
        latency = constrained_latency(confirmed.windows, limits.percentile)
        throughput: Interval = median_interval(rounds)
        display = typical_latency(confirmed.windows)
        warnings = judge_stability(confirmed.windows).warnings
        tail = (
            tail_evidence(confirmed.windows, limits.percentile) if limits.max_latency_ms else None
        )
    else:
        rounds = []
        latency = config.constrained_latency_ms
        throughput = Interval(
            config.figure_value, search.low, search.high, search.n, search.confidence
        )
        display = config.latency_ms
        warnings = config.stability().warnings
        tail = config.tail
    to_first = _finite(config.to_first_result_ms)
    stated = stated_rate(claim, throughput.estimate)
    return Contender(
        key=config.key,
        label=config.label,
        config=config.config,
        presets=config.presets,
        precision=config.precision,
        throughput=throughput,
        latency_ms=display,
        constrained_latency_ms=latency,
        memory_bytes=config.memory_bytes,
        accuracy=config.accuracy,
        to_first_result_ms=to_first,
        violations=limits.violations(
            latency,
            config.memory_bytes,
            config.accuracy,
            to_first,
            rate=stated,
            claim=claim,
            tail=tail,
        ),
        confirmed=confirmed is not None and bool(confirmed.windows),
        search_throughput_fps=config.figure_value,
        rounds=tuple(rounds),
        trials=config.trials,
        warnings=tuple(warnings),
        figure=figure,
        claim=claim,
        tail=tail,
    )


def study_decision(
    configs: Sequence[ConfigResult], confirmation: Confirmation | None, limits: Limits
) -> Decision:
    """The judge's decision on a study: every config, with confirmation figures where there
    are some. The one function behind the search summary, best_config.json, the report,
    ``studies`` and the Python API.

    When rounds were added after inconclusive looks, the decisions at those looks are taken
    again on the rounds as they stood (same rule, same data), so the verdict can say why."""
    search = [contender(c, limits, None) for c in configs]

    def judged(rounds: Confirmation | None, earlier: Sequence[Decision] = ()) -> Decision:
        return decide(
            [
                contender(
                    c,
                    limits,
                    rounds.get(c.key) if rounds else None,
                    rounds.claim(c.key) if rounds else None,
                )
                for c in configs
            ],
            limits,
            search=search,
            plan=rounds.plan() if rounds else None,
            earlier=earlier,
        )

    if confirmation is None:
        return judged(None)
    earlier = [
        judged(confirmation.first(look.rounds))
        for look in confirmation.plan().looks()
        if look.rounds < confirmation.rounds
    ]
    return judged(confirmation, earlier)
