"""The regression check behind ``autotune validate``: under the limits the study recorded, does
an exported config still meet them, and is it not now significantly slower than the best
hint? Feasibility is :meth:`Limits.violations` and the best hint is the leader of the feasible
hints by their paired rounds — the search's own rules, applied to validate's rounds. The
latency limit is the search's claim too: on the requests over it where the rounds' windows are
too short for their percentile, and in the server scenario on the proof of the stated rate,
measured again (:mod:`._proof`). What validate does not re-measure (memory, time to a first
result, accuracy) is judged on the figures the study recorded."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from autotune.core import RuntimeConfig, preset_label, preset_named
from autotune.judge._claims import format_share
from autotune.judge._contender import Contender
from autotune.judge._explain import ms
from autotune.judge._figures import Accuracy, constrained_latency, tail_evidence, typical_latency
from autotune.judge._intervals import CONFIDENCE, Interval, median_interval
from autotune.judge._limits import Limits
from autotune.judge._pairs import Pairs
from autotune.judge._proof import RateClaim
from autotune.judge._sequential import DEFAULT_TIE_MARGIN
from autotune.measure import Window


@dataclass(frozen=True)
class Recorded:
    """What the study recorded of a config and validate does not measure again."""

    memory_bytes: float | None = None
    to_first_result_ms: float | None = None
    accuracy: Accuracy | None = None


@dataclass(frozen=True)
class ValidationResult:
    """What validate measured and concluded."""

    label: str
    throughput: Interval
    constrained_latency_ms: float
    limit_ms: float | None
    percentile: float
    hints: dict[str, Interval]
    hint_latency_ms: dict[str, float]
    ratios: dict[str, Interval]
    recorded_fps: float | None
    meets_limit: bool
    beats_hints: bool
    verdict: str
    problems: tuple[str, ...] = field(default_factory=tuple)
    holds_rate: bool = True  # server scenario: still holds --rate
    unit: str = "FPS"  # "req/s" when the figure is the sustainable rate, "ms" a latency
    figure: str = "throughput"  # what the rounds measured ("p90 latency")
    direction: str = "maximize"  # "minimize": lower is better
    best_hint: str | None = None  # the hint it is judged against (None: no hint meets them)
    claim: RateClaim | None = None  # server scenario: the stated rate, proven again

    @property
    def ok(self) -> bool:
        return self.meets_limit and self.beats_hints and self.holds_rate

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "ok": self.ok,
            "meets_limit": self.meets_limit,
            "beats_hints": self.beats_hints,
            "throughput_fps": self.throughput.to_dict(),
            "unit": self.unit,
            "figure": self.figure,
            "direction": self.direction,
            "holds_rate": self.holds_rate,
            "constrained_latency_ms": self.constrained_latency_ms,
            "limit_ms": self.limit_ms,
            "percentile": self.percentile,
            "hints": {k: v.to_dict() for k, v in self.hints.items()},
            "hint_latency_ms": self.hint_latency_ms,
            "ratios": {k: v.to_dict() for k, v in self.ratios.items()},
            "best_hint": self.best_hint,
            "recorded_fps": self.recorded_fps,
            "verdict": self.verdict,
            "problems": list(self.problems),
            "claim": self.claim.to_dict() if self.claim is not None else None,
        }


def _contender(
    label: str,
    preset: str | None,
    windows: Sequence[Window],
    limits: Limits,
    rec: Recorded,
    claim: RateClaim | None = None,
) -> Contender:
    """A config as the judge sees it, from validate's rounds (one window a round), with the
    proof of its stated rate measured again (server scenario)."""
    figure = limits.figure
    rounds = tuple(figure.of_window(w) for w in windows)
    throughput = median_interval(rounds)
    latency = constrained_latency(windows, limits.percentile)
    tail = (
        tail_evidence(windows, limits.percentile)
        if limits.max_latency_ms is not None and not limits.server
        else None
    )
    return Contender(
        key=label,
        label=preset_label(preset) if preset else label,
        config=preset_named(preset) if preset else RuntimeConfig(),
        presets=(preset,) if preset else (),
        precision="",
        throughput=throughput,
        latency_ms=typical_latency(windows),
        constrained_latency_ms=latency,
        memory_bytes=rec.memory_bytes,
        accuracy=rec.accuracy,
        to_first_result_ms=rec.to_first_result_ms,
        violations=limits.violations(
            latency,
            rec.memory_bytes,
            rec.accuracy,
            rec.to_first_result_ms,
            claim.rate if claim is not None and claim.proven else throughput.estimate,
            claim=claim,
            tail=tail,
        ),
        confirmed=True,
        search_throughput_fps=math.nan,
        rounds=rounds,
        figure=figure,
        claim=claim,
        tail=tail,
    )


def _problems(c: Contender, limits: Limits) -> list[str]:
    """Each limit the config misses now, with its figure (recorded ones say so)."""
    out = []
    v = c.violations
    key, limit = limits.latency_key, limits.max_latency_ms
    if v.get("latency", 0) > 0 and c.claim is not None:
        out.append(c.claim.describe())
    elif (
        v.get("latency", 0) > 0 and c.tail is not None and c.constrained_latency_ms <= (limit or 0)
    ):
        tail = c.tail
        out.append(
            f"{key} ≤ {limit:g} ms is not shown on its few requests: {tail.over} of {tail.n} "
            f"over it (up to {format_share(tail.bound)} at 99 %; showing it takes {tail.needed})"
        )
    elif v.get("latency", 0) > 0:
        out.append(
            f"{key} latency {c.constrained_latency_ms:.2f} ms is over the limit {limit:g} ms"
        )
    if v.get("rate", 0) > 0:
        out.append(f"it now holds {c.throughput.estimate:.1f} req/s < {limits.min_rate:g} req/s")
    if v.get("memory", 0) > 0 and c.memory_bytes is not None:
        assert limits.max_memory_bytes is not None
        out.append(
            f"it used {c.memory_bytes / 1e6:.0f} MB > {limits.max_memory_bytes / 1e6:.0f} MB "
            "in the study"
        )
    if v.get("first_inference", 0) > 0 and c.to_first_result_ms is not None:
        out.append(
            f"it needed {ms(c.to_first_result_ms)} to a first result in the study (limit "
            f"{limits.max_first_inference_ms:g} ms)"
        )
    accuracy = [k for k in ("unknown", "drift", "top1", "metric") if v.get(k, 0) > 0]
    if accuracy:
        out.append(f"its recorded accuracy misses the guard ({', '.join(accuracy)})")
    return out


def judge_validation(
    label: str,
    preset: str | None,
    config_windows: Sequence[Window],
    hint_windows: dict[str, Sequence[Window]],
    limits: Limits,
    *,
    recorded_fps: float | None = None,
    recorded: Recorded | None = None,
    recorded_hints: dict[str, Recorded] | None = None,
    claim: RateClaim | None = None,
) -> ValidationResult:
    """Pure decision from the interleaved rounds of the config (``preset``: the hint it is, on
    the user's model) and of each hint preset (by name), under ``limits``; ``recorded`` and
    ``recorded_hints`` are the study's figures of the config and of each hint. In the server
    scenario a round's figure is the sustainable rate, and with a ``claim`` (the stated rate
    proven again) the proof decides the latency limit."""
    config = _contender(label, preset, config_windows, limits, recorded or Recorded(), claim)
    hints = {
        name: _contender(name, name, ws, limits, (recorded_hints or {}).get(name, Recorded()))
        for name, ws in hint_windows.items()
    }
    fig = limits.figure
    pairs = Pairs(CONFIDENCE, DEFAULT_TIE_MARGIN, fig)
    ratios = {name: pairs(config, h) for name, h in hints.items()}
    best = pairs.leader([h for h in hints.values() if h.feasible])
    best_name = best.presets[0] if best is not None else None
    problems = _problems(config, limits)
    beats = True
    if best_name is not None and preset is None:
        ratio = ratios[best_name]
        beats = not fig.proven_worse(ratio)  # only a significant loss fails the check
        if not beats:
            what = (
                f"its {fig.name} is now higher than the {best_name} hint's"
                if fig.lower_is_better
                else f"it is now slower than the {best_name} hint"
            )
            problems.append(f"{what}: ratio {ratio.estimate:.2f} ({ratio.describe()})")
    now = config.throughput
    unit = fig.unit
    if problems:
        verdict = "FAIL: " + "; ".join(problems)
    else:
        gain = (
            f", {fig.compared(ratios[best_name].estimate, best_name + ' hint')}"
            if best_name
            else ""
        )
        shown = (
            claim.describe() if claim is not None else f"{config.constrained_latency_ms:.2f} ms"
        )
        verdict = f"OK: meets its limit ({shown}){gain}"
    if recorded_fps and math.isfinite(now.estimate):
        verdict += f"; {now.estimate:.1f} {unit} now vs {recorded_fps:.1f} recorded"
    missed = set(config.missed)
    return ValidationResult(
        label=label,
        throughput=now,
        constrained_latency_ms=config.constrained_latency_ms,
        limit_ms=limits.max_latency_ms,
        percentile=limits.percentile,
        hints={name: h.throughput for name, h in hints.items()},
        hint_latency_ms={name: h.constrained_latency_ms for name, h in hints.items()},
        ratios=ratios,
        recorded_fps=recorded_fps,
        meets_limit=not (missed - {"rate"}),
        beats_hints=beats,
        verdict=verdict,
        problems=tuple(problems),
        holds_rate="rate" not in missed,
        unit=unit,
        figure=fig.name,
        direction=fig.direction,
        best_hint=best_name,
        claim=claim,
    )
