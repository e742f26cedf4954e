"""Create or resume a study, run the search, and confirm the winner.

``run_search`` is the library entry point behind ``autotune search``: it checks every input
before it touches the storage, enqueues the hint presets so the baselines are measured in the
same run, optimizes with a constrained TPE sampler, and finishes with the interleaved
confirmation stage.
"""

from __future__ import annotations

import os
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import optuna
from optuna.trial import FrozenTrial, TrialState

from autotune import runtime
from autotune.analysis import ANALYSIS_ATTR, analyse
from autotune.confirm import (
    DEFAULT_ROUNDS,
    DEFAULT_TOP_K,
    Confirmation,
    confirmation_window_s,
    decide,
    pick_candidates,
)
from autotune.environment import check_fingerprint, collect_environment, fingerprint
from autotune.errors import BadInputError, StudyError, TrialsFailedError
from autotune.facts import ModelInfo
from autotune.measure import Window
from autotune.objective import (
    OBJECTIVES,
    MeasureSettings,
    Objective,
    default_trial_timeout,
    worker_identity,
)
from autotune.results import (
    CONFIRMATION_ATTR,
    META_ATTR,
    ConfigResult,
    Limits,
    TrialResult,
    best_config,
    load_trials,
    unique_configs,
)
from autotune.samples import load_samples
from autotune.space import SearchSpace, build_space, resolve_devices
from autotune.steering import Steering
from autotune.storage import DEFAULT_STORAGE, open_storage
from autotune.units import format_duration, parse_shape
from autotune.worker import IsolatedRunner, TrialFailure

SCHEMA_VERSION = 1
# The accuracy guard's default: a config whose outputs differ from the f32 reference by more
# than 5 % of an output's largest magnitude is infeasible (bf16 on a conv net: ~0.2 %).
DEFAULT_MAX_DRIFT = 0.05


@dataclass(frozen=True)
class SearchSettings:
    """Everything ``autotune search`` takes, as typed values (the CLI parses the units)."""

    model_path: str
    shape: str | None = None
    max_latency_s: float | None = None
    percentile: float = 90.0
    device: str | None = None
    trials: int = 30
    time_budget_s: float | None = None
    trial_time_s: float = 2.0
    max_batch: int = 8
    study_name: str | None = None
    storage: str = DEFAULT_STORAGE
    out_dir: str | None = None
    seed: int | None = None
    trial_timeout_s: float | None = None
    confirm_top: int = DEFAULT_TOP_K
    confirm_rounds: int = DEFAULT_ROUNDS
    force: bool = False
    allow_mixed_hardware: bool = False
    objective: str = "throughput"
    max_memory_bytes: int | None = None
    max_drift: float | None = DEFAULT_MAX_DRIFT
    max_first_inference_s: float | None = None
    inputs_dir: str | None = None
    analyse: bool = True  # load times, profile and efficiency of the winner at the end


class SearchObserver(Protocol):
    """What the search reports while it runs (the CLI draws it; tests record it)."""

    def message(self, text: str) -> None: ...

    def search_started(
        self, study: str, done: int, total: int, budget_s: float | None
    ) -> None: ...

    def trial_finished(
        self, trial: TrialResult, best: ConfigResult | None, done: int, total: int
    ) -> None: ...

    def confirmation_started(self, candidates: int, rounds: int, seconds: float) -> None: ...


class SilentObserver:
    def message(self, text: str) -> None:
        pass

    def search_started(self, study: str, done: int, total: int, budget_s: float | None) -> None:
        pass

    def trial_finished(
        self, trial: TrialResult, best: ConfigResult | None, done: int, total: int
    ) -> None:
        pass

    def confirmation_started(self, candidates: int, rounds: int, seconds: float) -> None:
        pass


class SearchInterrupted(Exception):
    """Ctrl-C during a search: the study is intact and can be resumed."""

    def __init__(self, study_name: str, storage: str) -> None:
        super().__init__(study_name)
        self.study_name = study_name
        self.storage = storage


@dataclass
class SearchPlan:
    """The checked inputs of a search, ready to run."""

    settings: SearchSettings
    model: ModelInfo
    space: SearchSpace
    limits: Limits
    study_name: str
    out_dir: Path
    environment: dict[str, Any]


@dataclass
class SearchOutcome:
    """What a finished search hands back."""

    study_name: str
    storage: str
    out_dir: Path
    limits: Limits
    configs: list[ConfigResult]
    trials: list[TrialResult]
    best: ConfigResult | None
    confirmation: Confirmation | None
    new_trials: int
    elapsed_s: float
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def feasible(self) -> bool:
        if self.confirmation is not None and self.confirmation.candidates:
            return self.confirmation.winner_key is not None
        return self.best is not None


def validate_settings(s: SearchSettings) -> None:
    """Reject impossible numbers before anything is read or written."""
    if not 0 < s.percentile <= 100:
        raise BadInputError(
            f"--percentile must be in (0, 100], got {s.percentile:g}", "e.g. --percentile 90"
        )
    if s.trials < 1:
        raise BadInputError(f"--trials must be at least 1, got {s.trials}", "e.g. --trials 30")
    if s.max_batch < 1:
        raise BadInputError(
            f"--max-batch must be at least 1, got {s.max_batch}", "e.g. --max-batch 8"
        )
    if s.max_latency_s is not None and not s.max_latency_s > 0:
        raise BadInputError("--max-latency must be positive", "e.g. --max-latency 20ms")
    if not s.trial_time_s > 0:
        raise BadInputError("--trial-time must be positive", "e.g. --trial-time 2s")
    if s.confirm_rounds < 2 and s.confirm_top > 0:
        raise BadInputError(
            "--confirm-rounds must be at least 2 to give an interval",
            "e.g. --confirm-rounds 5, or --confirm-top 0 to skip confirmation",
        )
    if s.objective not in OBJECTIVES:
        raise BadInputError(
            f"--objective {s.objective!r} is unknown", f"use one of: {', '.join(OBJECTIVES)}"
        )
    if s.max_drift is not None and s.max_drift < 0:
        raise BadInputError("--max-drift must not be negative", "e.g. --max-drift 0.05")
    if s.study_name is not None and not re.fullmatch(
        r"[A-Za-z0-9][A-Za-z0-9._-]{0,120}", s.study_name
    ):
        raise BadInputError(
            f"--study {s.study_name!r} is not a usable name",
            "use letters, digits, '.', '_' and '-' (it also names the output folder)",
        )


def default_study_name(model: ModelInfo, device: str | None, s: SearchSettings) -> str:
    """``<model stem>[-<shape>]-<device>-<limit>[-p<percentile>]``, e.g. ``320n-1x3x320x320-CPU-20ms``."""
    parts = [Path(model.path).stem]
    if model.shape:
        parts.append("_".join("x".join(str(d) for d in dims) for dims in model.shape.values()))
    parts.append(
        (device or "all").replace(":", "").replace(",", "+").replace("(", "").replace(")", "")
    )
    parts.append(format_duration(s.max_latency_s) if s.max_latency_s else "max")
    if s.percentile != 90:
        parts.append(f"p{s.percentile:g}")
    if s.objective != "throughput":
        parts.append(s.objective)
    name = "-".join(parts)
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


def _check_out_dir(path: Path) -> None:
    """The output folder must be a folder we can create and write (checked, not created)."""
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        raise BadInputError(
            f"output folder '{path}' cannot be created: '{probe}' is a file",
            "pass a folder path to --out",
        )
    if not os.access(probe, os.W_OK | os.X_OK):
        raise BadInputError(
            f"output folder '{path}' is not writable", "pass a writable --out folder"
        )


def plan_search(s: SearchSettings) -> SearchPlan:
    """Check the model, devices, limits and output folder; nothing is written yet."""
    validate_settings(s)
    shape = parse_shape(s.shape) if s.shape else None
    model = runtime.inspect_model(s.model_path, shape)
    devices = resolve_devices(s.device, runtime.available_devices(), model)
    hardware = (
        next(d for d in devices if not d.startswith(("AUTO", "BATCH")))
        if any(not d.startswith(("AUTO", "BATCH")) for d in devices)
        else runtime.available_devices()[0]
    )
    caps = runtime.device_capabilities(hardware)
    space = build_space(devices, caps, model, s.max_batch)
    limits = Limits(
        max_latency_ms=s.max_latency_s * 1e3 if s.max_latency_s else None,
        percentile=s.percentile,
        max_memory_bytes=s.max_memory_bytes,
        max_drift=s.max_drift,
        max_first_inference_ms=s.max_first_inference_s * 1e3 if s.max_first_inference_s else None,
    )
    name = s.study_name or default_study_name(model, s.device, s)
    out_dir = Path(s.out_dir) if s.out_dir else Path("studies") / name
    _check_out_dir(out_dir)
    if s.inputs_dir is not None:
        if not Path(s.inputs_dir).is_dir():
            raise BadInputError(
                f"--inputs folder '{s.inputs_dir}' does not exist", "pass a folder of .npy files"
            )
        load_samples(s.inputs_dir, model.inputs)  # shapes checked now, not in every trial
    return SearchPlan(
        settings=s,
        model=model,
        space=space,
        limits=limits,
        study_name=name,
        out_dir=out_dir,
        environment=collect_environment(),
    )


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


def make_sampler(s: SearchSettings, n_trials: int) -> optuna.samplers.BaseSampler:
    """Constrained TPE (multivariate, grouped for the conditional space; constant liar for many
    workers). NSGA-II serves the three-objective Pareto mode."""
    if s.objective == "pareto":
        return optuna.samplers.NSGAIISampler(
            seed=s.seed, population_size=max(8, min(20, n_trials // 3))
        )
    return optuna.samplers.TPESampler(
        seed=s.seed,
        multivariate=True,
        group=True,
        constant_liar=True,
        # A quarter of the budget explores at random first (5–20 trials): on the simulated
        # 64-core CPU this reached 98 % of the grid optimum on 10/10 seeds (benchmarks/).
        n_startup_trials=max(5, min(20, n_trials // 4)),
    )


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


def enqueue_presets(study: optuna.Study, space: SearchSpace) -> list[str]:
    """Queue the LATENCY and THROUGHPUT hint presets unless they are measured or queued."""
    alive = (TrialState.COMPLETE, TrialState.WAITING, TrialState.RUNNING)
    have = {t.user_attrs.get("preset") for t in study.get_trials(deepcopy=False, states=alive)}
    queued = []
    for preset in space.presets():
        if preset.preset not in have:
            study.enqueue_trial(space.preset_params(preset), user_attrs={"preset": preset.preset})
            queued.append(str(preset.preset))
    return queued


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


def _progress_callback(
    observer: SearchObserver, total: int, limits: Limits
) -> Callable[[optuna.Study, FrozenTrial], None]:
    def callback(study: optuna.Study, frozen: FrozenTrial) -> None:
        trials = load_trials(study)
        configs = unique_configs(trials, limits)
        done = sum(1 for t in trials if t.state == "COMPLETE")
        observer.trial_finished(TrialResult.from_trial(frozen), best_config(configs), done, total)

    return callback


def run_confirmation(
    study: optuna.Study,
    plan: SearchPlan,
    runner: Runner,
    observer: SearchObserver,
    configs: list[ConfigResult],
) -> Confirmation | None:
    """Re-measure the top-k feasible configs and the hint presets interleaved; store the result."""
    s = plan.settings
    candidates = pick_candidates(configs, s.confirm_top)
    if s.confirm_top <= 0 or not any(not c.presets for c in candidates) and len(candidates) < 2:
        return None
    window_s = confirmation_window_s(s.trial_time_s)
    observer.confirmation_started(
        len(candidates), s.confirm_rounds, len(candidates) * s.confirm_rounds * window_s
    )
    from autotune.lock import machine_lock

    payload = {
        "model_path": plan.model.path,
        "shape": plan.model.shape,
        "configs": [c.config.to_dict() for c in candidates],
        "rounds": s.confirm_rounds,
        "window_s": window_s,
        "percent": plan.limits.percentile,
        "cache_dir": str(plan.out_dir / "cache"),
    }
    timeout = (
        default_trial_timeout(s.trial_time_s) + 3 * len(candidates) * s.confirm_rounds * window_s
    )
    try:
        with machine_lock(observer.message):
            result = runner.call("measure_interleaved", payload, timeout_s=timeout)
    except TrialFailure as exc:
        observer.message(
            f"confirmation failed ({exc.reason}); the winner comes from the search alone"
        )
        return None
    windows = [[Window.from_dict(w) for w in c["windows"]] for c in result["configs"]]
    confirmation = decide(
        candidates, windows, plan.limits, rounds=s.confirm_rounds, window_s=window_s
    )
    study.set_user_attr(CONFIRMATION_ATTR, confirmation.to_dict())
    return confirmation


class Runner(Protocol):
    """What runs measurements: the isolated worker, or a simulation in tests."""

    def call(self, handler: str, payload: dict[str, Any], timeout_s: float) -> dict[str, Any]: ...

    def close(self) -> None: ...


# A run whose first trials all fail, in a study with no completed trial, stops early: the
# same error on every configuration means the model or device cannot be benchmarked at all.
EARLY_ABORT_FAILURES = 3


def max_attempts(remaining: int) -> int:
    """Trials one run may start to complete ``remaining`` measurements despite failures."""
    return 2 * remaining + 3


def _abort_on_systematic_failure(study: optuna.Study, frozen: FrozenTrial) -> None:
    trials = study.get_trials(deepcopy=False)
    if any(t.state == TrialState.COMPLETE for t in trials):
        return
    failed = [t for t in trials if t.state == TrialState.FAIL]
    if len(failed) >= EARLY_ABORT_FAILURES:
        study.stop()


def _winner(configs: list[ConfigResult], confirmation: Confirmation | None) -> ConfigResult | None:
    if confirmation is not None and confirmation.winner_key:
        return next((c for c in configs if c.key == confirmation.winner_key), None)
    return best_config(configs)


def ensure_reference(plan: SearchPlan, runner: Runner, observer: SearchObserver) -> str:
    """The f32 reference outputs for the accuracy guard, computed once per study folder."""
    path = (plan.out_dir / "reference.npz").resolve()
    if not path.exists():
        source = plan.settings.inputs_dir or "seeded random inputs"
        observer.message(f"computing the f32 reference outputs for the accuracy guard ({source})")
        from autotune.lock import machine_lock

        try:
            with machine_lock(observer.message):
                runner.call(
                    "reference_outputs",
                    {
                        "model_path": plan.model.path,
                        "shape": plan.model.shape,
                        "out_path": str(path),
                        "inputs_dir": plan.settings.inputs_dir,
                    },
                    timeout_s=default_trial_timeout(plan.settings.trial_time_s),
                )
        except TrialFailure as exc:
            raise TrialsFailedError(
                f"the f32 reference run failed: {exc.reason}",
                "check the model runs with benchmark_app, or pass --max-drift off",
            ) from None
    return str(path)


def run_search(
    s: SearchSettings,
    observer: SearchObserver | None = None,
    *,
    plan: SearchPlan | None = None,
    runner: Runner | None = None,
) -> SearchOutcome:
    """Plan, open the study, optimize, confirm. Ctrl-C raises SearchInterrupted, study intact.

    ``plan`` and ``runner`` are seams for tests and simulations (default: plan from the real
    model and device, measure in an isolated worker).
    """
    observer = observer or SilentObserver()
    started = time.perf_counter()
    plan = plan or plan_search(s)
    storage = open_storage(s.storage)
    study = open_study(plan, storage)
    recovered = recover_stale_trials(study)
    if recovered:
        observer.message(
            f"marked {len(recovered)} trial(s) left running by a dead worker as failed: "
            + ", ".join(f"#{n}" for n in recovered)
        )
    queued = enqueue_presets(study, plan.space)
    if queued:
        observer.message("measuring the OpenVINO hint presets first: " + ", ".join(queued))
    plan.out_dir.mkdir(parents=True, exist_ok=True)
    complete = len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)))
    remaining = max(0, s.trials - complete)
    observer.search_started(plan.study_name, complete, s.trials, s.time_budget_s)
    study.sampler = make_sampler(s, s.trials)
    runner = runner or IsolatedRunner(plan.out_dir)
    reference = None
    if plan.limits.max_drift is not None:
        reference = ensure_reference(plan, runner, observer)
    settings = MeasureSettings(
        model=plan.model,
        trial_time_s=s.trial_time_s,
        trial_timeout_s=s.trial_timeout_s or default_trial_timeout(s.trial_time_s),
        limits=plan.limits,
        cache_dir=str((plan.out_dir / "cache").resolve()),
        objective=s.objective,
        reference_path=reference,
    )
    objective = Objective(plan.space, settings, runner, on_wait=observer.message)
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    me = worker_identity()
    # Trials already started before this run (queued ones still count as ours when we run them).
    existing = {
        t.number for t in study.get_trials(deepcopy=False) if t.state != TrialState.WAITING
    }
    try:
        if remaining:
            study.optimize(
                objective,
                # Failed trials do not count toward --trials (MaxTrialsCallback counts COMPLETE);
                # this bound only keeps a run with many failures from going on forever.
                n_trials=max_attempts(remaining),
                timeout=s.time_budget_s,
                catch=(TrialFailure,),
                callbacks=[
                    _progress_callback(observer, s.trials, plan.limits),
                    optuna.study.MaxTrialsCallback(s.trials, states=(TrialState.COMPLETE,)),
                    _abort_on_systematic_failure,
                    Steering(plan.space, plan.limits.max_latency_ms),
                ],
            )
        limits, trials, configs = study_results(study)
        if not configs:
            reasons = [t.fail_reason for t in trials if t.fail_reason]
            if reasons:
                raise TrialsFailedError(
                    f"every trial failed; the last error: {reasons[-1]}",
                    "check that the model runs with benchmark_app on this device; "
                    "failed trials are listed in report.html",
                )
        confirmation = None
        if s.objective == "throughput" and any(c.feasible for c in configs):
            confirmation = run_confirmation(study, plan, runner, observer, configs)
        winner = _winner(configs, confirmation)
        if winner is not None and s.analyse:
            observer.message("analysing the winner: load times, per-layer profile, efficiency")
            fps = (
                confirmation.winner.throughput.estimate
                if confirmation and confirmation.winner
                else winner.throughput_fps
            )
            study.set_user_attr(
                ANALYSIS_ATTR,
                analyse(
                    runner,
                    winner,
                    model_path=plan.model.path,
                    shape=plan.model.shape,
                    flops_per_frame=plan.model.flops / plan.model.batch
                    if plan.model.flops
                    else None,
                    fingerprint=fingerprint(plan.environment),
                    fps=fps,
                ),
            )
    except KeyboardInterrupt:
        raise SearchInterrupted(plan.study_name, s.storage) from None
    finally:
        runner.close()
    return SearchOutcome(
        study_name=plan.study_name,
        storage=s.storage,
        out_dir=plan.out_dir,
        limits=limits,
        configs=configs,
        trials=trials,
        best=best_config(configs),
        confirmation=confirmation,
        new_trials=sum(
            1
            for t in study.get_trials(deepcopy=False)
            if t.number not in existing and t.user_attrs.get("worker") == me
        ),
        elapsed_s=time.perf_counter() - started,
    )
