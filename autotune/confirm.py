"""The confirmation stage: re-measure the best candidates and the hint presets interleaved,
then pick the winner from those medians, with intervals, and say plainly when it is not
distinguishable from the best hint (the winner's curse guard)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from autotune.config import RuntimeConfig
from autotune.measure import Window, constrained_latency, judge_stability
from autotune.results import ConfigResult, Limits, best_config, ranked_feasible
from autotune.stats import Interval, median_interval, paired_ratio

DEFAULT_TOP_K = 3
DEFAULT_ROUNDS = 5


def confirmation_window_s(trial_time_s: float) -> float:
    """Longer than a search window (trial/5): half a trial, 1 s for the default 2 s trials."""
    return max(0.25, trial_time_s / 2)


def pick_candidates(configs: Sequence[ConfigResult], top_k: int) -> list[ConfigResult]:
    """The top-k feasible tuned configs plus every measured hint preset (deduplicated)."""
    chosen: list[ConfigResult] = []
    for config in ranked_feasible(configs):
        if len([c for c in chosen if not c.presets]) >= top_k:
            break
        if not config.presets:
            chosen.append(config)
    for config in configs:
        if config.presets and config not in chosen:
            chosen.append(config)
    return chosen


@dataclass(frozen=True)
class Candidate:
    """One configuration as re-measured in the confirmation rounds."""

    key: str
    label: str
    config: RuntimeConfig
    presets: tuple[str, ...]
    trials: tuple[int, ...]
    windows: tuple[Window, ...]
    throughput: Interval
    constrained_latency_ms: float
    latency_ms: dict[str, float]
    feasible: bool
    warnings: tuple[str, ...] = ()

    def round_throughputs(self) -> list[float]:
        return [w.throughput_fps for w in sorted(self.windows, key=lambda w: w.index)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "config": self.config.to_dict(),
            "presets": list(self.presets),
            "trials": list(self.trials),
            "windows": [w.to_dict() for w in self.windows],
            "throughput_fps": self.throughput.to_dict(),
            "constrained_latency_ms": self.constrained_latency_ms,
            "latency_ms": self.latency_ms,
            "feasible": self.feasible,
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Candidate:
        return cls(
            key=data["key"],
            label=data["label"],
            config=RuntimeConfig.from_dict(data["config"]),
            presets=tuple(data["presets"]),
            trials=tuple(data["trials"]),
            windows=tuple(Window.from_dict(w) for w in data["windows"]),
            throughput=Interval.from_dict(data["throughput_fps"]),
            constrained_latency_ms=data["constrained_latency_ms"],
            latency_ms=dict(data.get("latency_ms", {})),
            feasible=data["feasible"],
            warnings=tuple(data.get("warnings", [])),
        )


@dataclass(frozen=True)
class Confirmation:
    """The outcome: candidates, the winner, its ratio to each hint, and a plain verdict."""

    candidates: tuple[Candidate, ...]
    winner_key: str | None
    best_hint: str | None
    ratios: dict[str, Interval] = field(default_factory=dict)
    significant: bool = False
    verdict: str = ""
    rounds: int = 0
    window_s: float = 0.0

    @property
    def winner(self) -> Candidate | None:
        return next((c for c in self.candidates if c.key == self.winner_key), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "candidates": [c.to_dict() for c in self.candidates],
            "winner_key": self.winner_key,
            "best_hint": self.best_hint,
            "ratios": {k: v.to_dict() for k, v in self.ratios.items()},
            "significant": self.significant,
            "verdict": self.verdict,
            "rounds": self.rounds,
            "window_s": self.window_s,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Confirmation:
        return cls(
            candidates=tuple(Candidate.from_dict(c) for c in data["candidates"]),
            winner_key=data.get("winner_key"),
            best_hint=data.get("best_hint"),
            ratios={k: Interval.from_dict(v) for k, v in data.get("ratios", {}).items()},
            significant=bool(data.get("significant")),
            verdict=data.get("verdict", ""),
            rounds=int(data.get("rounds", 0)),
            window_s=float(data.get("window_s", 0.0)),
        )


def _pooled_latency(windows: Sequence[Window]) -> dict[str, float]:
    keys = {k for w in windows for k in w.latency_ms}
    out = {}
    for k in keys:
        values = sorted(w.latency_ms[k] for w in windows if math.isfinite(w.latency_ms[k]))
        out[k] = values[len(values) // 2] if values else math.nan
    return out


def decide(
    searched: Sequence[ConfigResult],
    measured: Sequence[Sequence[Window]],
    limits: Limits,
    *,
    rounds: int,
    window_s: float,
) -> Confirmation:
    """Pure decision from confirmation windows (one list per searched candidate, in order)."""
    candidates = []
    for config, windows in zip(searched, measured, strict=True):
        latency = constrained_latency(windows, limits.percentile)
        violations = limits.violations(
            latency, config.memory_bytes, config.drift, config.to_first_result_ms
        )
        candidates.append(
            Candidate(
                key=config.key,
                label=config.label,
                config=config.config,
                presets=config.presets,
                trials=config.trials,
                windows=tuple(windows),
                throughput=median_interval([w.throughput_fps for w in windows]),
                constrained_latency_ms=latency,
                latency_ms=_pooled_latency(windows),
                feasible=all(v <= 0 for v in violations.values()),
                warnings=judge_stability(windows).warnings,
            )
        )
    feasible = [c for c in candidates if c.feasible]
    winner = max(feasible, key=lambda c: c.throughput.estimate, default=None)
    hints = [c for c in candidates if c.presets]
    feasible_hints = [c for c in hints if c.feasible]
    best_hint = max(feasible_hints, key=lambda c: c.throughput.estimate, default=None)
    ratios: dict[str, Interval] = {}
    if winner is not None:
        for hint in hints:
            for name in hint.presets:
                ratios[name] = paired_ratio(winner.round_throughputs(), hint.round_throughputs())
    best_hint_name = best_hint.presets[0] if best_hint else None
    if winner is not None and best_hint is not None and not winner.presets:
        # Medians can rank a config first while the paired rounds say it is no faster than the
        # hint (the machine drifted between rounds); then the simpler hint wins.
        if ratios[best_hint.presets[0]].estimate < 1.0:
            winner = best_hint
            ratios = {
                name: paired_ratio(winner.round_throughputs(), hint.round_throughputs())
                for hint in hints
                for name in hint.presets
            }
    significant = False
    if winner is None:
        verdict = "no configuration met the limit in the confirmation rounds"
    elif winner.presets:
        verdict = (
            f"the {winner.presets[0]} hint is the best configuration found: "
            "no tuned configuration beat it in the confirmation rounds"
        )
    elif best_hint_name is None:
        verdict = "no hint preset meets the limit; the tuned configuration does"
        significant = True
    else:
        ratio = ratios[best_hint_name]
        significant = ratio.low > 1.0
        if significant:
            verdict = (
                f"{ratio.estimate:.2f}× the throughput of the {best_hint_name} hint "
                f"({ratio.confidence:.0%} CI {ratio.low:.2f}–{ratio.high:.2f})"
            )
        else:
            verdict = (
                f"no significant gain over the {best_hint_name} hint (ratio "
                f"{ratio.estimate:.2f}, {ratio.confidence:.0%} CI {ratio.low:.2f}–{ratio.high:.2f})"
            )
    return Confirmation(
        candidates=tuple(candidates),
        winner_key=winner.key if winner else None,
        best_hint=best_hint_name,
        ratios=ratios,
        significant=significant,
        verdict=verdict,
        rounds=rounds,
        window_s=window_s,
    )


def unconfirmed(confirmation: Confirmation) -> Confirmation:
    """A confirmation in which no candidate met the limit: keep its figures, pick no winner
    from it (the search's winner stands), and say so plainly."""
    return replace(
        confirmation,
        winner_key=None,
        significant=False,
        verdict=(
            "not confirmed: no candidate met the limit in the confirmation rounds although they "
            "did in the search — the machine was busier; the winner comes from the search alone "
            "(re-run on a quieter machine to confirm it)"
        ),
    )


def winner(
    configs: Sequence[ConfigResult], confirmation: Confirmation | None
) -> ConfigResult | None:
    """The configuration to ship: the confirmation's winner, else (no confirmation, or it could
    not pick one) the search's best feasible configuration."""
    if confirmation is not None and confirmation.winner_key:
        confirmed = next((c for c in configs if c.key == confirmation.winner_key), None)
        if confirmed is not None:
            return confirmed
    return best_config(configs)
