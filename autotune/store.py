"""The study in its storage: create or resume it (checking it belongs to this model, these
limits and this hardware), record its metadata, recover trials left by dead workers, queue the
hint presets, and read results back."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from typing import Any, Literal

import optuna
from optuna.trial import FrozenTrial, TrialState

from autotune.environment import check_fingerprint, fingerprint
from autotune.errors import StudyError
from autotune.facts import ModelInfo
from autotune.judge import Accuracy, Decision, Limits
from autotune.objective import worker_identity
from autotune.plan import SearchPlan
from autotune.results import (
    CONFIRMATION_ATTR,
    META_ATTR,
    ConfigResult,
    Confirmation,
    TrialResult,
    load_trials,
    study_decision,
    unique_configs,
)
from autotune.space import SearchSpace

SCHEMA_VERSION = 1


def _metadata(plan: SearchPlan) -> dict[str, Any]:
    s = plan.settings
    return {
        "schema": SCHEMA_VERSION,
        "model": plan.model.to_dict(),
        "devices": list(plan.space.devices),
        "device_option": s.device,
        "limits": plan.limits.to_dict(),
        "trial_time_s": s.trial_time_s,
        "max_batch": s.max_batch,
        "objective": s.objective,
        "out_dir": str(plan.out_dir),
        "environment": plan.environment,
        "fingerprint": fingerprint(plan.environment),
        "space": {
            "devices": list(plan.space.devices),
            "batches": list(plan.space.batches),
            "auto_batch_sizes": list(plan.space.auto_batch_sizes),
            "precisions": plan.space.precision_choices(),
            "streams_range": list(plan.space.capabilities.streams_range),
            "max_threads": plan.space.capabilities.max_threads,
            "default_precision": plan.space.capabilities.default_precision,
        },
    }


def _same_model(meta: dict[str, Any], model: ModelInfo) -> bool:
    stored = meta.get("model", {})
    return bool(stored.get("sha256") == model.sha256 and stored.get("shape") == model.shape)


def open_study(plan: SearchPlan, storage: optuna.storages.BaseStorage) -> optuna.Study:
    """Load the study if it exists (checking it is for this model, limit and hardware), else
    create it. ``--force`` replaces a study that belongs to another model."""
    s = plan.settings
    names = optuna.get_all_study_names(storage)
    if plan.study_name in names:
        study = optuna.load_study(study_name=plan.study_name, storage=storage)
        meta = study.user_attrs.get(META_ATTR)
        if meta is None:
            raise StudyError(
                f"study '{plan.study_name}' exists but was not made by autotune",
                "pick another --study name",
            )
        problem = None
        if not _same_model(meta, plan.model):
            problem = f"study '{plan.study_name}' was made for another model or shape ({meta['model']['path']})"
        elif (
            Limits.from_dict(meta["limits"]) != plan.limits or meta.get("objective") != s.objective
        ):
            problem = (
                f"study '{plan.study_name}' was made with other limits "
                f"({Limits.from_dict(meta['limits']).describe()})"
            )
        elif list(meta.get("devices", [])) != list(plan.space.devices):
            problem = (
                f"study '{plan.study_name}' searches other devices ({', '.join(meta['devices'])})"
            )
        if problem and not s.force:
            raise StudyError(problem, "use another --study name, or --force to replace it")
        if problem:
            optuna.delete_study(study_name=plan.study_name, storage=storage)
        else:
            check_fingerprint(
                meta.get("fingerprint", {}), fingerprint(plan.environment), s.allow_mixed_hardware
            )
            return study
    directions: list[Literal["minimize", "maximize"]] = (
        ["maximize"] if s.objective == "throughput" else ["maximize", "minimize", "minimize"]
    )
    study = optuna.create_study(
        study_name=plan.study_name, storage=storage, directions=directions, load_if_exists=True
    )
    if s.objective == "pareto":
        study.set_metric_names(["throughput_fps", "latency_ms", "memory_mb"])
    else:
        study.set_metric_names(["throughput_fps"])
    study.set_user_attr(META_ATTR, _metadata(plan))
    return study


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_stale_trials(study: optuna.Study) -> list[int]:
    """Fail trials left RUNNING by a worker that died: on this host at once (its pid is gone),
    elsewhere once its heartbeat is older than the grace period (Optuna's stale-trial check)."""
    storage = study._storage
    host = socket.gethostname()
    recovered = []
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        worker = trial.user_attrs.get("worker") or {}
        if (
            worker.get("host") == host
            and not _pid_alive(int(worker.get("pid", 0)))
            and worker.get("pid") != os.getpid()
        ):
            trial_id = trial._trial_id
            storage.set_trial_user_attr(
                trial_id,
                "fail_reason",
                f"worker process {worker.get('pid')} on {host} died while measuring "
                "(killed or crashed); marked failed on resume",
            )
            storage.set_trial_state_values(trial_id, state=TrialState.FAIL)
            recovered.append(trial.number)
    if isinstance(storage, optuna.storages.RDBStorage) and storage.get_heartbeat_interval():
        before = {t.number for t in study.get_trials(deepcopy=False, states=(TrialState.FAIL,))}
        optuna.storages.fail_stale_trials(study)
        after = {t.number for t in study.get_trials(deepcopy=False, states=(TrialState.FAIL,))}
        recovered.extend(sorted(after - before))
    return recovered


def enqueue_presets(
    study: optuna.Study, space: SearchSpace, precision: str | None = None
) -> list[str]:
    """Queue the LATENCY and THROUGHPUT hint presets (at the device's default precision, or
    with ``precision`` pinned) unless they are measured or queued."""
    alive = (TrialState.COMPLETE, TrialState.WAITING, TrialState.RUNNING)
    have = {t.user_attrs.get("preset") for t in study.get_trials(deepcopy=False, states=alive)}
    queued = []
    for preset in space.presets(precision):
        if preset.preset not in have:
            study.enqueue_trial(space.preset_params(preset), user_attrs={"preset": preset.preset})
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
        preset = trial.user_attrs.get("preset")
        if trial.state != TrialState.COMPLETE or not preset or " " in preset:
            return
        precision = (
            (trial.user_attrs.get("effective") or {})
            .get("properties", {})
            .get("INFERENCE_PRECISION_HINT")
        )
        inaccurate = any(trial.constraints.get(name, 0.0) > 0 for name in ("drift", "top1"))
        if (
            not inaccurate
            or precision in (None, "f32")
            or "f32" not in self.space.capabilities.precisions
        ):
            return
        queued = enqueue_presets(study, self.space, "f32")
        if queued:
            accuracy = Accuracy.from_record(trial.user_attrs.get("accuracy"))
            figures = f" ({accuracy.describe()})" if accuracy else ""
            self.on_message(
                f"the {preset} hint in {precision} changes the outputs{figures}; "
                "measuring the hints in f32 as baselines"
            )


def load_meta(study: optuna.Study) -> dict[str, Any]:
    meta = study.user_attrs.get(META_ATTR)
    if not meta:
        raise StudyError(
            f"study '{study.study_name}' was not made by autotune", "pick an autotune study"
        )
    return dict(meta)


def study_results(study: optuna.Study) -> tuple[Limits, list[TrialResult], list[ConfigResult]]:
    limits = Limits.from_dict(load_meta(study)["limits"])
    trials = load_trials(study)
    return limits, trials, unique_configs(trials, limits)


def load_confirmation(study: optuna.Study) -> Confirmation | None:
    data = study.user_attrs.get(CONFIRMATION_ATTR)
    return Confirmation.from_dict(data) if data else None


def study_decision_of(
    study: optuna.Study, limits: Limits | None = None
) -> tuple[Limits, list[TrialResult], list[ConfigResult], Confirmation | None, Decision]:
    """Everything a reading command shows about a study, with the judge's decision. ``limits``
    re-judges the same measurements under other limits (``export --max-latency``)."""
    stored, trials, configs = study_results(study)
    limits = limits or stored
    if limits != stored:
        configs = unique_configs(trials, limits)
    confirmation = load_confirmation(study)
    return limits, trials, configs, confirmation, study_decision(configs, confirmation, limits)


def fail_own_running(storage_url: str, study_name: str, reason: str) -> list[int]:
    """Mark this process's RUNNING trials failed, through a fresh connection (the one in use
    may have been cut mid-write by the interrupt). Best effort: a dead-worker check on the next
    start catches anything left."""
    from autotune.storage import open_storage

    marked = []
    try:
        storage = open_storage(storage_url, heartbeat=False)
        study = optuna.load_study(study_name=study_name, storage=storage)
        me = worker_identity()
        for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            if trial.user_attrs.get("worker") == me:
                storage.set_trial_user_attr(trial._trial_id, "fail_reason", reason)
                storage.set_trial_state_values(trial._trial_id, state=TrialState.FAIL)
                marked.append(trial.number)
    except Exception:  # the interrupt must still be reported; resume repairs the rest
        pass
    return marked
