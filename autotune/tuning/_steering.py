"""Steering along the latency limit: latency grows with the batch and with the requests queued
per stream, so a trial tells us which way to move those two knobs.

- A trial faster than the best feasible one but over the limit: queue its neighbour with fewer
  requests (or a smaller batch), scaled by how far over the limit it is.
- A new best feasible trial far under the limit: queue its neighbour with a bigger batch (or
  more requests) to spend the slack on throughput.
- A trial whose outputs drift past the accuracy guard at a lower precision: queue it again at
  f32.

The neighbours go through ``enqueue_trial`` and count against the same --trials budget; the
sampler still chooses everything else. On the real models this is what makes repeated studies
agree (a pure TPE run of 20 trials can miss the "same config, fewer requests" move).
"""

from __future__ import annotations

import math
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState

from autotune.judge import ACCURACY_CONSTRAINTS, feasible
from autotune.study import TrialResult, queued_as_steered
from autotune.tuning._space import MAX_REQUEST_MULTIPLIER, SearchSpace

SLACK_FACTOR = 0.5  # a best feasible trial under half the limit has room for more


def _throughput(trial: FrozenTrial) -> float:
    value = TrialResult.from_trial(trial).throughput_fps
    return value if math.isfinite(value) else 0.0


def step_down(params: dict[str, Any], space: SearchSpace, over: float) -> dict[str, Any] | None:
    """Params with less queued work, aiming at latency × ``1/over`` (over = latency ÷ limit)."""
    p = dict(params)
    multiplier = int(p.get("request_multiplier", 1))
    if multiplier > 1:
        p["request_multiplier"] = max(1, min(multiplier - 1, math.floor(multiplier / over)))
        return p
    batch = int(p.get("batch", 1))
    if batch > 1 and "batch" in p:
        target = max(1, batch / over)
        p["batch"] = max(
            b for b in space.batches if b <= max(1, 2 ** math.floor(math.log2(target)))
        )
        return p if p["batch"] != batch else None
    size = p.get("auto_batch_size")
    if size is not None and int(size) > min(space.auto_batch_sizes):
        p["auto_batch_size"] = max(b for b in space.auto_batch_sizes if b < int(size))
        return p
    return None


def step_up(params: dict[str, Any], space: SearchSpace) -> dict[str, Any] | None:
    """Params with more work in flight: double the batch, else one more request per stream."""
    p = dict(params)
    batch = int(p.get("batch", 1))
    bigger = [b for b in space.batches if b > batch]
    if "batch" in p and bigger:
        p["batch"] = min(bigger)
        return p
    multiplier = int(p.get("request_multiplier", 1))
    if multiplier < MAX_REQUEST_MULTIPLIER:
        p["request_multiplier"] = multiplier + 1
        return p
    return None


def _known(study: optuna.Study) -> list[dict[str, Any]]:
    states = (TrialState.COMPLETE, TrialState.RUNNING, TrialState.WAITING, TrialState.FAIL)
    known = []
    for t in study.get_trials(deepcopy=False, states=states):
        params = dict(t.params)
        if t.state == TrialState.WAITING:
            params = dict(t.system_attrs.get("fixed_params", params))
        known.append(params)
    return known


class Steering:
    """Optuna callback that queues the neighbour moves described in the module docstring."""

    def __init__(self, space: SearchSpace, limit_ms: float | None) -> None:
        self.space = space
        self.limit_ms = limit_ms

    def proposal(self, study: optuna.Study, trial: FrozenTrial) -> dict[str, Any] | None:
        result = TrialResult.from_trial(trial)
        if (
            trial.state != TrialState.COMPLETE
            or not trial.params
            or result.duplicate_of is not None  # nothing new was learned
            or result.preset  # the hints' f32 twins are queued as presets
        ):
            return None
        inaccurate = any(trial.constraints.get(name, 0.0) > 0 for name in ACCURACY_CONSTRAINTS)
        if inaccurate and trial.params.get("precision") != "f32":
            return {**trial.params, "precision": "f32"}
        latency = result.constrained_latency_ms
        if self.limit_ms is None or not math.isfinite(latency):
            return None
        others = [
            t
            for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
            if t.number != trial.number and feasible(t.constraints)
        ]
        best_other = max((_throughput(t) for t in others), default=0.0)
        fps = result.throughput_fps
        if not feasible(trial.constraints):
            if fps <= best_other or trial.constraints.get("latency", 0.0) <= 0:
                return None
            return step_down(trial.params, self.space, latency / self.limit_ms)
        if fps > best_other and latency < SLACK_FACTOR * self.limit_ms:
            return step_up(trial.params, self.space)
        return None

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        params = self.proposal(study, trial)
        if params is None or params in _known(study):
            return
        study.enqueue_trial(params, user_attrs=queued_as_steered(trial.number))
