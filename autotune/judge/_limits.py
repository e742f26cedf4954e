"""The limits a configuration must meet to be deployable, and how far a config is from each.

Violations follow Optuna's constraint convention (feasible when every value is ≤ 0) and are
relative to their limit (0.1 = 10 % over), so the constrained sampler sees comparable scales
and the report can say by how much a limit was missed.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from autotune.core import MULTI_STREAM, OFFLINE, SERVER
from autotune.judge._claims import Claim
from autotune.judge._direction import Figure, figure_of
from autotune.judge._figures import Accuracy
from autotune.judge._proof import RateClaim
from autotune.measure import percentile_key

# Accuracy guard defaults. A config whose outputs differ from the f32 reference by more than
# 5 % (relative L2 over the samples) is infeasible: bf16 on a conv net is ~0.5 %. Where an
# output is a probability vector, 99 % of its top-1 answers must agree with f32.
DEFAULT_MAX_DRIFT = 0.05
DEFAULT_MIN_TOP1 = 0.99

CONSTRAINTS = (
    "latency",
    "rate",
    "memory",
    "unknown",
    "drift",
    "top1",
    "metric",
    "first_inference",
)
# "unknown": an output the guard could not compare (its accuracy is unknown, which fails any
# accuracy limit rather than passing it as 0)
ACCURACY_CONSTRAINTS = ("unknown", "drift", "top1", "metric")


@dataclass(frozen=True)
class Limits:
    """The constraints of one study."""

    max_latency_ms: float | None = None
    percentile: float = 90.0
    max_memory_bytes: int | None = None
    max_drift: float | None = None
    max_first_inference_ms: float | None = None
    min_top1: float | None = None
    scenario: str = OFFLINE  # server: the figure is the sustainable rate under Poisson load
    min_rate: float | None = None  # server: requests/s the config must hold (--rate)
    max_drop: float | None = None  # the largest drop of the user's metric (--accuracy-fn)
    fps: float | None = None  # multi-stream: frames/s of each source (--fps)
    streams: int | None = None  # multi-stream: the sources to hold (--streams); None: the most
    # server with --objective latency: the Poisson rate every config is measured at (--rate);
    # the figure is then its latency percentile there, lower is better
    at_rate: float | None = None

    @property
    def figure(self) -> Figure:
        """What a config is judged on in this study's scenario, and which way is better."""
        return figure_of(self.scenario, self.percentile, self.streams, self.at_rate)

    @property
    def server(self) -> bool:
        """Poisson arrivals (the server scenario), whichever its figure."""
        return self.scenario == SERVER

    @property
    def sustainable(self) -> bool:
        """The figure is the sustainable rate (the server scenario without a fixed rate): it
        is the figure that gets proven (:mod:`autotune.judge._proof`)."""
        return self.scenario == SERVER and self.at_rate is None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Limits:
        return cls(
            max_latency_ms=data.get("max_latency_ms"),
            percentile=float(data.get("percentile", 90.0)),
            max_memory_bytes=data.get("max_memory_bytes"),
            max_drift=data.get("max_drift"),
            max_first_inference_ms=data.get("max_first_inference_ms"),
            min_top1=data.get("min_top1"),
            scenario=data.get("scenario", OFFLINE),
            min_rate=data.get("min_rate"),
            max_drop=data.get("max_drop"),
            fps=data.get("fps"),
            streams=data.get("streams"),
            at_rate=data.get("at_rate"),
        )

    @property
    def latency_key(self) -> str:
        """``p90``."""
        return percentile_key(self.percentile)

    @property
    def guards_accuracy(self) -> bool:
        return self.max_drift is not None or self.min_top1 is not None or self.max_drop is not None

    def describe(self) -> str:
        parts = []
        if self.max_latency_ms is not None:
            load = (
                f" under Poisson arrivals at {self.at_rate:g} req/s"
                if self.server and self.at_rate is not None
                else " under Poisson arrivals"
                if self.server
                else f" with {self.fps:g} frames/s per source"
                if self.scenario == MULTI_STREAM and self.fps
                else ""
            )
            parts.append(f"{self.latency_key} latency ≤ {self.max_latency_ms:g} ms{load}")
        if self.min_rate is not None:
            parts.append(f"≥ {self.min_rate:g} req/s")
        if self.max_memory_bytes is not None:
            parts.append(f"memory ≤ {self.max_memory_bytes / 1e6:.0f} MB")
        if self.max_drift is not None:
            parts.append(f"output drift ≤ {self.max_drift:g}")
        if self.min_top1 is not None:
            parts.append(f"top-1 agreement ≥ {self.min_top1:g}")
        if self.max_drop is not None:
            parts.append(f"metric drop ≤ {self.max_drop:g}")
        if self.max_first_inference_ms is not None:
            parts.append(f"time to first result ≤ {self.max_first_inference_ms:g} ms")
        if self.streams is not None:
            parts.append(f"{self.streams} sources")
        if self.at_rate is not None and self.max_latency_ms is None:
            parts.append(f"Poisson arrivals at {self.at_rate:g} req/s")
        fig = self.figure
        aim = "minimize" if fig.lower_is_better else "maximize"
        return ", ".join(parts) or f"no limit ({aim} {fig.name})"

    def violations(
        self,
        latency_ms: float,
        memory_bytes: float | None = None,
        accuracy: Accuracy | None = None,
        to_first_result_ms: float | None = None,
        rate: float | None = None,
        claim: RateClaim | None = None,
        tail: Claim | None = None,
    ) -> dict[str, float]:
        """How far over each limit a configuration is (≤ 0 where it meets it). ``rate`` is the
        sustainable rate (server scenario), checked against ``min_rate``. With the proof of a
        stated rate (``claim``), the latency limit is met where the proof showed it, missed
        where no rate held, and judged on ``latency_ms`` while the proof is capped; ``rate``
        is then the stated rate. With windows too short for their percentile (``tail``, see
        :func:`tail_evidence`), the limit is met only where the requests over it show it: the
        violation is the bound on their share relative to the allowed share."""
        out: dict[str, float] = {}
        if self.max_latency_ms is not None:
            value = latency_ms if math.isfinite(latency_ms) else 1e9
            out["latency"] = value / self.max_latency_ms - 1.0
            if claim is not None and claim.proven:
                out["latency"] = min(out["latency"], claim.bound / claim.plan.allowed - 1.0)
            elif claim is not None and claim.status in ("exhausted", "refuted"):
                out["latency"] = max(out["latency"], 1.0)
            if tail is not None:
                ratio = tail.bound / tail.allowed - 1.0
                out["latency"] = min(ratio, -1e-9) if tail.holds else max(ratio, 1e-9)
        if self.min_rate is not None and rate is not None:
            out["rate"] = (self.min_rate - rate) / self.min_rate
        if self.max_memory_bytes is not None and memory_bytes is not None:
            out["memory"] = memory_bytes / self.max_memory_bytes - 1.0
        if accuracy is not None:
            if self.guards_accuracy and accuracy.unknown:
                out["unknown"] = 1.0
            if self.max_drift is not None and accuracy.rel_l2 is not None:
                drift = accuracy.rel_l2 if math.isfinite(accuracy.rel_l2) else 1e9
                out["drift"] = drift / self.max_drift - 1.0 if self.max_drift > 0 else drift
            if self.min_top1 is not None and accuracy.top1 is not None:
                out["top1"] = self.min_top1 - accuracy.top1
            if self.max_drop is not None and accuracy.metric_drop is not None:
                drop = accuracy.metric_drop if math.isfinite(accuracy.metric_drop) else 1e9
                out["metric"] = drop / self.max_drop - 1.0 if self.max_drop > 0 else drop
        if self.max_first_inference_ms is not None and to_first_result_ms is not None:
            out["first_inference"] = to_first_result_ms / self.max_first_inference_ms - 1.0
        return out


def feasible(violations: dict[str, float]) -> bool:
    return all(v <= 0 for v in violations.values())


def missed(violations: dict[str, float]) -> list[str]:
    """The constraints a config misses, in a fixed order."""
    return [name for name in CONSTRAINTS if violations.get(name, 0.0) > 0]
