"""Run the search: plan, open the study, optimize, confirm, analyse the winner.

``run_search`` is the library entry point behind ``autotune search``: it checks every input
before it touches the storage (:mod:`._settings`), opens or resumes the study, optimizes with a
constrained TPE sampler steered along the limits, and finishes with the interleaved
confirmation stage, the judge's decision and a closer look at the winner.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import optuna
from optuna.trial import TrialState

from autotune.core import INT8, BatchAxes, TrialsFailedError
from autotune.judge import Contender, Decision, Limits
from autotune.measure import (
    IsolatedRunner,
    Runner,
    TrialFailure,
    confirmation_window_s,
    default_trial_timeout,
)
from autotune.study import (
    ANALYSIS_ATTR,
    LOAD_CURVES_ATTR,
    VARIANTS_ATTR,
    ConfigResult,
    Confirmation,
    TrialResult,
    fail_own_running,
    measured_trials,
    open_storage,
    open_study,
    recover_stale_trials,
    study_decision,
    study_results,
    worker_identity,
    worker_of,
)
from autotune.tuning._analysis import analyse, load_curves
from autotune.tuning._confirm import run_confirmation
from autotune.tuning._loop import (
    InterruptFlag,
    MeasuredTrialsTarget,
    abort_on_systematic_failure,
    make_sampler,
    max_attempts,
    progress,
)
from autotune.tuning._objective import MeasureSettings, Objective
from autotune.tuning._observer import SearchObserver, SilentObserver
from autotune.tuning._presets import PresetBaselines, enqueue_presets
from autotune.tuning._quantize import prepare_int8
from autotune.tuning._reference import ensure_reference
from autotune.tuning._settings import SearchPlan, SearchSettings, plan_search, study_metadata
from autotune.tuning._shapes import shapes_note
from autotune.tuning._steering import Steering


class SearchInterrupted(Exception):
    """Ctrl-C during a search: the study is intact and can be resumed."""

    def __init__(self, study_name: str, storage: str) -> None:
        super().__init__(study_name)
        self.study_name = study_name
        self.storage = storage


@dataclass
class SearchOutcome:
    """What a finished search hands back: the judge's decision and what it rests on."""

    study_name: str
    storage: str
    out_dir: Path
    limits: Limits
    configs: list[ConfigResult]
    trials: list[TrialResult]
    decision: Decision
    confirmation: Confirmation | None
    new_trials: int
    elapsed_s: float
    files: dict[str, Path] = field(default_factory=dict)
    batch_axes: BatchAxes = field(default_factory=BatchAxes)  # where the batch lives, proven

    @property
    def winner(self) -> Contender | None:
        """The configuration that ships (what best_config.json holds), with its figures:
        confirmed ones where the confirmation measured it."""
        return self.decision.winner

    @property
    def feasible(self) -> bool:
        """Some configuration meets the limits."""
        return self.decision.winner is not None


def _open(plan: SearchPlan, observer: SearchObserver) -> optuna.Study:
    """Open or resume the study, repair trials of dead workers, queue the hint presets."""
    s = plan.settings
    study = open_study(
        open_storage(s.storage),
        plan.study_name,
        study_metadata(plan),
        force=s.force,
        allow_mixed_hardware=s.allow_mixed_hardware,
    )
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
    return study


def _optimize(
    study: optuna.Study, plan: SearchPlan, runner: Runner, observer: SearchObserver
) -> None:
    """Run trials until ``--trials`` configurations are measured (or the budget is spent)."""
    s = plan.settings
    done = len(measured_trials(study))
    observer.search_started(plan.study_name, done, s.trials, s.time_budget_s)
    remaining = max(0, s.trials - done)
    if not remaining:
        return
    study.sampler = make_sampler(s, s.trials)
    settings = MeasureSettings(
        model=plan.model,
        trial_time_s=s.trial_time_s,
        trial_timeout_s=s.trial_timeout_s or default_trial_timeout(s.trial_time_s),
        limits=plan.limits,
        cache_dir=plan.cache_dir,
        objective=s.objective,
        reference_path=ensure_reference(plan, runner, observer)
        if plan.limits.guards_accuracy
        else None,
        variants=plan.variants,
        uncalibrated=s.quantize and s.calibration == "random",
        pad=plan.pad,
        accuracy_fn=s.accuracy_fn,
        search_path=os.getcwd() if s.accuracy_fn else None,
    )
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study.optimize(
        Objective(plan.space, settings, runner, on_wait=observer.message),
        # Failed trials and duplicates do not count toward --trials (MeasuredTrialsTarget);
        # this bound only keeps a run with many of them from going on forever.
        n_trials=max_attempts(remaining),
        timeout=s.time_budget_s,
        catch=(TrialFailure,),
        callbacks=[
            progress(observer, s.trials, plan.limits),
            MeasuredTrialsTarget(s.trials),
            abort_on_systematic_failure,
            PresetBaselines(plan.space, observer.message),
            # single-stream has no batch or request count to move along the limit
            Steering(plan.space, None if plan.space.single_stream else plan.limits.max_latency_ms),
        ],
    )


def _conclude(
    study: optuna.Study, plan: SearchPlan, runner: Runner, observer: SearchObserver
) -> tuple[Limits, list[TrialResult], list[ConfigResult], Confirmation | None, Decision]:
    """Confirm the best candidates against the hints, let the judge decide, analyse the
    winner."""
    limits, trials, configs = study_results(study)
    reasons = [t.fail_reason for t in trials if t.fail_reason]
    if not configs and reasons:
        raise TrialsFailedError(
            f"every trial failed; the last error: {reasons[-1]}",
            "check that the model runs with benchmark_app on this device; "
            "failed trials are listed in report.html",
        )
    confirmation = None
    if any(c.feasible for c in configs):
        confirmation = run_confirmation(study, plan, runner, observer, configs)
    decision = study_decision(configs, confirmation, limits)
    shipped = next((c for c in configs if decision.winner and c.key == decision.winner.key), None)
    if shipped is not None and decision.winner is not None and plan.settings.analyse:
        observer.message("analysing the winner: load times, per-layer profile, efficiency")
        model = plan.model
        study.set_user_attr(
            ANALYSIS_ATTR,
            analyse(
                runner,
                shipped,
                model=plan.model_payload(),
                flops_per_frame=model.flops / model.batch if model.flops else None,
                fingerprint=plan.environment_fingerprint,
                # the frames/s behind the figure (a latency figure's config runs at its FPS)
                fps=shipped.throughput_fps
                if limits.figure.lower_is_better
                else decision.winner.throughput.estimate,
            ),
        )
    if limits.sustainable and decision.winner is not None and plan.settings.analyse:
        observer.message("measuring latency against offered load (the winner and the hints)")
        shown = [decision.winner, *(c for c in decision.contenders if c.is_hint)]
        study.set_user_attr(
            LOAD_CURVES_ATTR,
            load_curves(
                runner,
                list({c.key: c for c in shown}.values()),
                trials,
                model=plan.model_payload(),
                limits=limits,
                window_s=confirmation_window_s(plan.settings.trial_time_s),
                cache_dir=plan.cache_dir,
            ),
        )
    return limits, trials, configs, confirmation, decision


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
    study = _open(plan, observer)
    observer.message(plan.model.batch_axes.summary())
    if plan.model.mix is not None:
        observer.message(shapes_note(plan.model, plan.space.policies))
    runner = runner or IsolatedRunner(plan.out_dir)
    if s.quantize:
        int8 = prepare_int8(
            plan.model,
            plan.out_dir,
            plan.int8_key or "",
            s.calibration_dir,
            s.trial_time_s,
            runner,
            observer,
        )
        plan.variants = {INT8: int8["path"]}
        study.set_user_attr(VARIANTS_ATTR, {INT8: int8})
    me = worker_identity()
    # Trials already started before this run (queued ones still count as ours when we run them).
    existing = {
        t.number for t in study.get_trials(deepcopy=False) if t.state != TrialState.WAITING
    }
    interrupt = InterruptFlag()
    try:
        _optimize(study, plan, runner, observer)
        limits, trials, configs, confirmation, decision = _conclude(study, plan, runner, observer)
    except BaseException as exc:
        # Ctrl-C can land inside a storage write; what surfaces then may be a database error
        # rather than KeyboardInterrupt. Either way: an interrupt, and our trial is marked.
        if isinstance(exc, KeyboardInterrupt) or interrupt.raised:
            runner.close()
            fail_own_running(s.storage, plan.study_name, "interrupted (Ctrl-C) while measuring")
            raise SearchInterrupted(plan.study_name, s.storage) from None
        raise
    finally:
        runner.close()
        interrupt.restore()
    new = [t for t in study.get_trials(deepcopy=False) if t.number not in existing]
    return SearchOutcome(
        study_name=plan.study_name,
        storage=s.storage,
        out_dir=plan.out_dir,
        limits=limits,
        configs=configs,
        trials=trials,
        decision=decision,
        confirmation=confirmation,
        new_trials=sum(1 for t in new if worker_of(t) == me),
        elapsed_s=time.perf_counter() - started,
        batch_axes=plan.model.batch_axes,
    )
