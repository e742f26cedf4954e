"""The study in its storage: create or resume it (checking it belongs to this model, these
limits and this hardware), recover trials left by dead workers, find a study by name, and read
it back with the judge's decision."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any, Literal

import optuna
from optuna.trial import TrialState

from autotune.core import StudyError
from autotune.judge import Decision, Limits
from autotune.measure import check_fingerprint
from autotune.study._location import default_out_dir, default_storage
from autotune.study._record import (
    CONFIRMATION_ATTR,
    META_ATTR,
    TrialResult,
    fail_stored_trial,
    load_trials,
    worker_identity,
    worker_of,
)
from autotune.study._results import ConfigResult, Confirmation, study_decision, unique_configs
from autotune.study._storage import open_storage

SCHEMA_VERSION = 1


def _conflict(name: str, meta: dict[str, Any], wanted: dict[str, Any]) -> str | None:
    """Why an existing study cannot take this search (another model, limits or devices)."""
    stored, model = meta.get("model", {}), wanted["model"]
    if stored.get("sha256") != model["sha256"] or stored.get("shape") != model["shape"]:
        return f"study '{name}' was made for another model or shape ({stored.get('path')})"
    if stored.get("mix") != model.get("mix"):
        return f"study '{name}' was made for another distribution of input shapes"
    axes, wanted_axes = stored.get("batch_axes"), model.get("batch_axes") or {}
    if axes is None:
        return (
            f"study '{name}' was made by an autotune that took dimension 0 of every input as "
            "the batch, unchecked"
        )
    if axes.get("inputs") != wanted_axes.get("inputs"):
        return (
            f"study '{name}' was made with other batch axes ({axes.get('inputs') or 'none'}, "
            f"now {wanted_axes.get('inputs') or 'none'})"
        )
    # compared as limits: a study stored by an older autotune has fewer keys
    stored_limits = Limits.from_dict(meta.get("limits") or {})
    if (
        stored_limits != Limits.from_dict(wanted["limits"])
        or meta.get("objective") != wanted["objective"]
    ):
        return (
            f"study '{name}' was made with other limits "
            f"({Limits.from_dict(meta['limits']).describe()})"
        )
    stored_int8, wanted_int8 = meta.get("int8_key"), wanted.get("int8_key")
    if stored_int8 and wanted_int8 and stored_int8 != wanted_int8:
        # its INT8 trials ran on a model quantized from other samples (or another NNCF)
        return f"study '{name}' searched an INT8 model made from other calibration samples or NNCF"
    if list(meta.get("devices", [])) != list(wanted["devices"]):
        return f"study '{name}' searches other devices ({', '.join(meta['devices'])})"
    return None


def open_study(
    storage: optuna.storages.BaseStorage,
    name: str,
    meta: dict[str, Any],
    *,
    force: bool = False,
    allow_mixed_hardware: bool = False,
) -> optuna.Study:
    """Load the study ``name`` if it exists (checking ``meta``: same model, limits, devices
    and hardware), else create it with ``meta``. ``force`` replaces a study that belongs to
    another model or limits."""
    if name in optuna.get_all_study_names(storage):
        study = optuna.load_study(study_name=name, storage=storage)
        stored = study.user_attrs.get(META_ATTR)
        if stored is None:
            raise StudyError(
                f"study '{name}' exists but was not made by autotune", "pick another --study name"
            )
        problem = _conflict(name, stored, meta)
        if problem and not force:
            raise StudyError(problem, "use another --study name, or --force to replace it")
        if not problem:
            check_fingerprint(
                stored.get("fingerprint", {}), meta["fingerprint"], allow_mixed_hardware
            )
            if meta.get("int8_key") and not stored.get("int8_key"):  # --quantize added later
                study.set_user_attr(META_ATTR, {**stored, "int8_key": meta["int8_key"]})
            return study
        optuna.delete_study(study_name=name, storage=storage)
    pareto = meta["objective"] == "pareto"
    figure = Limits.from_dict(meta["limits"]).figure  # which way the scenario's figure is better
    directions: list[Literal["minimize", "maximize"]] = (
        ["maximize", "minimize", "minimize"] if pareto else [figure.direction]
    )
    study = optuna.create_study(
        study_name=name, storage=storage, directions=directions, load_if_exists=True
    )
    study.set_metric_names(
        ["throughput_fps", "latency_ms", "memory_mb"] if pareto else [figure.metric]
    )
    study.set_user_attr(META_ATTR, {"schema": SCHEMA_VERSION, **meta})
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
        worker = worker_of(trial)
        pid = int(worker.get("pid", 0))
        if worker.get("host") == host and not _pid_alive(pid) and pid != os.getpid():
            fail_stored_trial(
                storage,
                trial,
                f"worker process {pid} on {host} died while measuring (killed or crashed); "
                "marked failed on resume",
            )
            recovered.append(trial.number)
    if isinstance(storage, optuna.storages.RDBStorage) and storage.get_heartbeat_interval():
        before = {t.number for t in study.get_trials(deepcopy=False, states=(TrialState.FAIL,))}
        optuna.storages.fail_stale_trials(study)
        after = {t.number for t in study.get_trials(deepcopy=False, states=(TrialState.FAIL,))}
        recovered.extend(sorted(after - before))
    return recovered


def fail_own_running(storage_url: str, study_name: str, reason: str) -> list[int]:
    """Mark this process's RUNNING trials failed, through a fresh connection (the one in use
    may have been cut mid-write by the interrupt). Best effort: a dead-worker check on the next
    start catches anything left."""
    marked = []
    try:
        storage = open_storage(storage_url, heartbeat=False)
        study = optuna.load_study(study_name=study_name, storage=storage)
        me = worker_identity()
        for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            if worker_of(trial) == me:
                fail_stored_trial(storage, trial, reason)
                marked.append(trial.number)
    except Exception:  # the interrupt must still be reported; resume repairs the rest
        pass
    return marked


def load_study(name: str | None, storage: str | None = None) -> optuna.Study:
    """Load an autotune study; without a name, the only (or most recent) one in the storage
    (default: :func:`default_storage`). Reading never creates tables."""
    storage = storage or default_storage()
    backend = open_storage(storage, heartbeat=False, must_exist=True, read_only=True)
    summaries = optuna.get_all_study_summaries(backend, include_best_trial=False)
    names = [s.study_name for s in summaries]
    if not names:
        raise StudyError(f"storage {storage!r} holds no study", "run autotune search first")
    if name is None:
        latest = max(
            summaries, key=lambda s: (s.datetime_start is not None, s.datetime_start or 0)
        )
        name = latest.study_name
    if name not in names:
        raise StudyError(
            f"no study named {name!r} in {storage}",
            f"pick one of: {', '.join(sorted(names)[:10])}",
        )
    study = optuna.load_study(study_name=name, storage=backend)
    load_meta(study)
    return study


def load_meta(study: optuna.Study) -> dict[str, Any]:
    meta = study.user_attrs.get(META_ATTR)
    if not meta:
        raise StudyError(
            f"study '{study.study_name}' was not made by autotune", "pick an autotune study"
        )
    return dict(meta)


def study_out_dir(study: optuna.Study) -> Path:
    """Where the study's artifacts go (best_config.json, report.html, the compile cache)."""
    meta = load_meta(study)
    return Path(meta.get("out_dir") or default_out_dir(study.study_name))


def study_results(study: optuna.Study) -> tuple[Limits, list[TrialResult], list[ConfigResult]]:
    limits = Limits.from_dict(load_meta(study)["limits"])
    trials = load_trials(study)
    return limits, trials, unique_configs(trials, limits)


def load_confirmation(study: optuna.Study) -> Confirmation | None:
    data = study.user_attrs.get(CONFIRMATION_ATTR)
    return Confirmation.from_dict(data) if data else None


def save_confirmation(study: optuna.Study, confirmation: Confirmation) -> None:
    study.set_user_attr(CONFIRMATION_ATTR, confirmation.to_dict())


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
