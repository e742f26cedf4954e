"""The OpenVINO hint presets every study measures first — as users run them, and with f32
pinned when the device's default precision fails the accuracy guard."""

from __future__ import annotations

from collections.abc import Callable

import optuna
from optuna.trial import FrozenTrial, TrialState

from autotune.judge import ACCURACY_CONSTRAINTS, Accuracy
from autotune.study import TrialResult, preset_of, queued_as_preset
from autotune.tuning._space import SearchSpace


def enqueue_presets(
    study: optuna.Study, space: SearchSpace, precision: str | None = None
) -> list[str]:
    """Queue the LATENCY and THROUGHPUT hint presets (at the device's default precision, or
    with ``precision`` pinned; on the user's model and, at the default precision, on each
    variant such as INT8) unless they are measured or queued."""
    alive = (TrialState.COMPLETE, TrialState.WAITING, TrialState.RUNNING)
    have = {preset_of(t) for t in study.get_trials(deepcopy=False, states=alive)}
    queued = []
    presets = space.presets(precision)
    if precision is None:
        presets += [p for v in space.variants for p in space.presets(None, v)]
    for preset in presets:
        if preset.preset not in have:
            study.enqueue_trial(
                space.preset_params(preset), user_attrs=queued_as_preset(str(preset.preset))
            )
            queued.append(str(preset.preset))
    return queued


class PresetBaselines:
    """When the accuracy guard rejects a hint preset at the device's default precision (bf16
    on AMX/Zen 4), queue the same hints with f32 pinned: the fair baselines for an accurate
    config, and what the verdict compares it with."""

    def __init__(self, space: SearchSpace, on_message: Callable[[str], None]) -> None:
        self.space = space
        self.on_message = on_message

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        result = TrialResult.from_trial(trial)
        if not result.complete or not result.preset or " " in result.preset:
            return
        assert result.effective is not None
        precision = result.effective.properties.get("INFERENCE_PRECISION_HINT")
        inaccurate = any(trial.constraints.get(name, 0.0) > 0 for name in ACCURACY_CONSTRAINTS)
        if (
            not inaccurate
            or precision in (None, "f32")
            or "f32" not in self.space.capabilities.precisions
        ):
            return
        queued = enqueue_presets(study, self.space, "f32")
        if queued:
            accuracy = Accuracy.from_record(result.accuracy)
            figures = f" ({accuracy.describe()})" if accuracy else ""
            self.on_message(
                f"the {result.preset} hint in {precision} changes the outputs{figures}; "
                "measuring the hints in f32 as baselines"
            )
