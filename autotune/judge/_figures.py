"""How measurements become the figures a decision is made on.

- Throughput: the median over a run's windows.
- Latency against a limit: each window's chosen percentile, then the upper quartile over
  windows, so one lucky window cannot make a config feasible. When the windows hold too few
  requests for their percentile to mean much (a p99 from 100 requests is the slowest one),
  the limit is a claim about the requests over it instead, pooled over the windows and shown
  by the binomial rule at 99 % (:func:`tail_evidence`).
- Accuracy: the relative L2 error of each output against the f32 reference (pooled over the
  samples), top-1 agreement where an output is a probability vector (with how many samples
  agree and the 95 % bound they show: 32 of 32 show only ≥ 0.91), and the worst single
  element kept as information.

Windows flagged for CPU steal are left out when enough clean ones remain
(:func:`autotune.measure.select_windows`).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from autotune.judge._claims import TAIL_CONFIDENCE, Claim, Evidence, agreement_claim
from autotune.judge._intervals import format_confidence
from autotune.measure import Window, percentile_key, quantile, select_windows

# The latency limit is judged on this quantile of the per-window percentiles (upper quartile).
LATENCY_WINDOW_QUANTILE = 0.75


def throughput_of(windows: Sequence[Window]) -> float:
    """Frames per second of a run: the median over its windows."""
    used = select_windows(windows)
    return statistics.median(w.throughput_fps for w in used) if used else 0.0


def constrained_latency(windows: Sequence[Window], percent: float) -> float:
    """The latency a limit is judged on: the upper quartile across windows of each window's
    chosen percentile."""
    used = select_windows(windows)
    key = percentile_key(percent)
    values = [w.latency_ms[key] for w in used if key in w.latency_ms]
    return quantile(values, LATENCY_WINDOW_QUANTILE) if values else math.nan


# Windows are "few-sample" when their percentile rests on fewer requests beyond it than this
# (a p99 from under 500 requests, a p90 from under 50): the latency limit is then judged on
# the requests over it, pooled over the windows, by the binomial rule (autotune.judge._claims).
FEW_BEYOND = 5


def tail_evidence(windows: Sequence[Window], percent: float) -> Claim | None:
    """The latency limit as a claim about the requests over it, when the windows hold too few
    requests for their own percentile to mean much (None otherwise, or when the windows did
    not count them): every request of the windows the judge uses, the count over the limit
    and its runs, at 99 %."""
    used = select_windows(windows)
    if not used or any(w.over is None for w in used):
        return None
    allowed = 1.0 - percent / 100.0
    if statistics.median(w.requests for w in used) * allowed >= FEW_BEYOND:
        return None
    pooled = Evidence(
        sum(w.requests for w in used),
        sum(w.over or 0 for w in used),
        sum(w.over_sq or 0 for w in used),
    )
    return pooled.claim(allowed, TAIL_CONFIDENCE)


def typical_latency(windows: Sequence[Window]) -> dict[str, float]:
    """p50/p90/p99 to display for a set of windows: the median over windows of each."""
    used = select_windows(windows)
    keys = sorted({k for w in used for k in w.latency_ms})
    out = {}
    for k in keys:
        values = [w.latency_ms[k] for w in used if math.isfinite(w.latency_ms.get(k, math.nan))]
        out[k] = statistics.median(values) if values else math.nan
    return out


@dataclass(frozen=True)
class Accuracy:
    """A configuration's outputs against the f32 reference, as the worker measured them."""

    rel_l2: float | None  # worst output's ‖y − ref‖₂ / ‖ref‖₂ over all samples
    top1: float | None  # worst probability output's top-1 agreement (None: no such output)
    max_rel: float | None  # worst single element, relative to the output's largest magnitude
    samples: int
    source: str  # "random" (seeded) or the --inputs folder
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    metric_drop: float | None = None  # --accuracy-fn on f32 minus on this config
    metric_value: float | None = None  # --accuracy-fn on this config's outputs
    metric_reference: float | None = None  # --accuracy-fn on the f32 reference outputs
    uncalibrated: bool = False  # an INT8 model calibrated on random data: accuracy unknown
    # outputs that could not be compared (missing, or shaped otherwise), with the reason: their
    # accuracy is unknown, never 0, and any accuracy limit fails on them
    unknown: dict[str, str] = field(default_factory=dict)
    # samples whose every top-1 answer agrees with f32 (worst output; None: no such output, or
    # a record from before it was counted)
    top1_agreeing: int | None = None

    def top1_claim(self, minimum: float) -> Claim | None:
        """ "top-1 agreement ≥ minimum" as the samples show it (95 %), counting a sample as
        agreeing when all its answers agree (samples are the independent draws)."""
        if self.top1_agreeing is None or not self.samples:
            return None
        return agreement_claim(self.top1_agreeing, self.samples, minimum)

    def top1_text(self, minimum: float | None = None) -> str:
        """``32/32 samples agree, ≥ 0.91 at 95 %`` — the count and the bound beside the
        figure — and, when it falls short of ``minimum``, ``showing ≥ 0.99 takes 299``."""
        if self.top1_agreeing is None or not self.samples:
            return ""
        claim = agreement_claim(self.top1_agreeing, self.samples, minimum or 0.0)
        text = (
            f"{self.top1_agreeing}/{self.samples} samples agree, ≥ {1 - claim.bound:.3g} at "
            f"{format_confidence(claim.confidence)}"
        )
        if minimum is not None and not claim.holds:
            text += f"; showing ≥ {minimum:g} takes {claim.needed} samples"
        return text

    @property
    def random_inputs(self) -> bool:
        return self.source == "random"

    def unknown_text(self) -> str:
        """``output 'boxes': sample 0 is [1,7098,6], the f32 model's [1,3549,6]``."""
        return "; ".join(
            f"output '{name}': {why}" if name != "(all)" else why
            for name, why in self.unknown.items()
        )

    @classmethod
    def from_record(cls, record: dict[str, Any] | None) -> Accuracy | None:
        if not record:
            return None
        max_rel = record.get("max_rel_error")
        # Studies written before relative L2 existed: judge them on the worst element.
        rel_l2 = record.get("rel_l2", max_rel)
        return cls(
            rel_l2=None if rel_l2 is None else float(rel_l2),
            top1=None if record.get("top1") is None else float(record["top1"]),
            max_rel=None if max_rel is None else float(max_rel),
            samples=int(record.get("samples", 0)),
            source=str(record.get("source", "random")),
            outputs=dict(record.get("outputs", {})),
            metric_drop=(record.get("metric") or {}).get("drop"),
            metric_value=(record.get("metric") or {}).get("value"),
            metric_reference=(record.get("metric") or {}).get("reference"),
            uncalibrated=bool(record.get("uncalibrated", False)),
            unknown={str(k): str(v) for k, v in dict(record.get("unknown") or {}).items()},
            top1_agreeing=None
            if record.get("top1_agreeing_samples") is None
            else int(record["top1_agreeing_samples"]),
        )

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "rel_l2": self.rel_l2,
            "top1": self.top1,
            "max_rel_error": self.max_rel,
            "samples": self.samples,
            "source": self.source,
            "outputs": self.outputs,
            "top1_agreeing_samples": self.top1_agreeing,
        }
        if self.metric_drop is not None:
            record["metric"] = {
                "drop": self.metric_drop,
                "value": self.metric_value,
                "reference": self.metric_reference,
            }
        if self.uncalibrated:
            record["uncalibrated"] = True
        if self.unknown:
            record["unknown"] = dict(self.unknown)
        return record

    def describe(self) -> str:
        """``relative L2 0.004, top-1 agreement 1.00 on 8 seeded random samples``."""
        parts = []
        if self.rel_l2 is not None:
            parts.append(f"relative L2 {self.rel_l2:.3g}")
        if self.top1 is not None:
            count = self.top1_text()
            parts.append(f"top-1 agreement {self.top1:.2f}" + (f" ({count})" if count else ""))
        if self.metric_drop is not None and self.metric_value is not None:
            parts.append(f"metric {self.metric_value:.3g} (f32 {self.metric_reference:.3g})")
        elif self.metric_drop is not None:
            parts.append(f"metric drop {self.metric_drop:.3g}")
        if self.unknown:
            parts.append(f"unknown for {self.unknown_text()}")
        where = "seeded random samples" if self.random_inputs else "samples from --inputs"
        return f"{', '.join(parts) or 'no comparable output'} on {self.samples} {where}"


def worst_accuracy(values: Sequence[Accuracy | None]) -> Accuracy | None:
    """The worst of several measurements of one configuration (each figure at its worst)."""
    present = [a for a in values if a is not None]
    if not present:
        return None
    rel = [a.rel_l2 for a in present if a.rel_l2 is not None]
    top = [a.top1 for a in present if a.top1 is not None]
    agreeing = [a.top1_agreeing for a in present if a.top1_agreeing is not None]
    elem = [a.max_rel for a in present if a.max_rel is not None]
    drops = [a for a in present if a.metric_drop is not None]
    worst = max(drops, key=lambda a: a.metric_drop or 0.0, default=None)
    first = present[0]
    return Accuracy(
        rel_l2=max(rel) if rel else None,
        top1=min(top) if top else None,
        max_rel=max(elem) if elem else None,
        samples=first.samples,
        source=first.source,
        outputs=first.outputs,
        metric_drop=worst.metric_drop if worst else None,
        metric_value=worst.metric_value if worst else None,
        metric_reference=worst.metric_reference if worst else None,
        uncalibrated=any(a.uncalibrated for a in present),
        unknown={k: v for a in present for k, v in a.unknown.items()},
        top1_agreeing=min(agreeing) if agreeing else None,
    )
