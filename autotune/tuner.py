"""Run the search: plan, open the study, optimize, confirm, analyse the winner.

``run_search`` is the library entry point behind ``autotune search``: it checks every input
before it touches the storage (:mod:`autotune.plan`), opens or resumes the study
(:mod:`autotune.store`), optimizes with a constrained TPE sampler steered along the limits, and
finishes with the interleaved confirmation stage and a closer look at the winner.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import optuna
from optuna.trial import FrozenTrial, TrialState

from autotune.analysis import ANALYSIS_ATTR, analyse
from autotune.confirm import confirmation_window_s, pick_candidates, record
from autotune.environment import fingerprint
from autotune.errors import TrialsFailedError
from autotune.judge import Contender, Decision, Limits
from autotune.lock import machine_lock
from autotune.measure import Window
from autotune.objective import (
    MeasureSettings,
    Objective,
    default_trial_timeout,
    measured_trials,
    worker_identity,
)
from autotune.plan import SearchPlan, SearchSettings, plan_search
from autotune.results import (
    CONFIRMATION_ATTR,
    ConfigResult,
    Confirmation,
    TrialResult,
    best_by_search,
    load_trials,
    study_decision,
    unique_configs,
)
from autotune.steering import Steering
from autotune.storage import open_storage
from autotune.store import (
    PresetBaselines,
    enqueue_presets,
    fail_own_running,
    open_study,
    recover_stale_trials,
    study_results,
)
from autotune.worker import IsolatedRunner, TrialFailure


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

    @property
    def winner(self) -> Contender | None:
        """The configuration that ships (what best_config.json holds), with its figures:
        confirmed ones where the confirmation measured it."""
        return self.decision.winner

    @property
    def best(self) -> Contender | None:
        """Same as :attr:`winner`."""
        return self.decision.winner

    @property
    def feasible(self) -> bool:
        """Some configuration meets the limits."""
        return self.decision.winner is not None


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


def _progress_callback(
    observer: SearchObserver, total: int, limits: Limits
) -> Callable[[optuna.Study, FrozenTrial], None]:
    def callback(study: optuna.Study, frozen: FrozenTrial) -> None:
        trials = load_trials(study)
        configs = unique_configs(trials, limits)
        done = sum(1 for t in trials if t.measured)
        observer.trial_finished(
            TrialResult.from_trial(frozen), best_by_search(configs), done, total
        )

    return callback


# Candidates that were feasible in the search but none of them in the confirmation: the
# machine changed under us (another job, steal). One more set of rounds, then the judge falls
# back to the search figures (and says the result is not confirmed).
CONFIRMATION_ATTEMPTS = 2


def run_confirmation(
    study: optuna.Study,
    plan: SearchPlan,
    runner: Runner,
    observer: SearchObserver,
    configs: list[ConfigResult],
) -> Confirmation | None:
    """Re-measure the top-k feasible configs and the hint presets interleaved; store the rounds."""
    s = plan.settings
    candidates = pick_candidates(configs, s.confirm_top)
    if s.confirm_top <= 0 or not any(not c.presets for c in candidates):
        return None
    window_s = confirmation_window_s(s.trial_time_s)
    observer.confirmation_started(
        len(candidates), s.confirm_rounds, len(candidates) * s.confirm_rounds * window_s
    )
    payload = {
        "model_path": plan.model.path,
        "shape": plan.model.shape,
        "configs": [c.config.to_dict() for c in candidates],
        "rounds": s.confirm_rounds,
        "window_s": window_s,
        "percent": plan.limits.percentile,
        "cache_dir": plan.cache_dir,
    }
    timeout = (
        default_trial_timeout(s.trial_time_s) + 3 * len(candidates) * s.confirm_rounds * window_s
    )
    confirmation = None
    for attempt in range(1, CONFIRMATION_ATTEMPTS + 1):
        try:
            with machine_lock(observer.message):
                result = runner.call("measure_interleaved", payload, timeout_s=timeout)
        except TrialFailure as exc:
            observer.message(
                f"confirmation failed ({exc.reason}); the decision rests on the search alone"
            )
            return None
        windows = [[Window.from_dict(w) for w in c["windows"]] for c in result["configs"]]
        confirmation = record(candidates, windows, rounds=s.confirm_rounds, window_s=window_s)
        if study_decision(configs, confirmation, plan.limits).confirmed:
            break
        observer.message(
            f"no candidate met the limit in confirmation round set {attempt} although they did "
            "in the search (is the machine busier now?)"
            + ("; measuring once more" if attempt < CONFIRMATION_ATTEMPTS else "")
        )
    assert confirmation is not None
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
    """Trials one run may start to complete ``remaining`` measurements despite failures and
    duplicates (a duplicate costs a compile, no measurement)."""
    return 4 * remaining + 5


class MeasuredTrialsTarget:
    """Stop the study once ``target`` trials measured a configuration of their own: failed
    trials and duplicates of an effective configuration measured before do not count."""

    def __init__(self, target: int) -> None:
        self.target = target

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        if len(measured_trials(study)) >= self.target:
            study.stop()


def _abort_on_systematic_failure(study: optuna.Study, frozen: FrozenTrial) -> None:
    trials = study.get_trials(deepcopy=False)
    if any(t.state == TrialState.COMPLETE for t in trials):
        return
    failed = [t for t in trials if t.state == TrialState.FAIL]
    if len(failed) >= EARLY_ABORT_FAILURES:
        study.stop()


def ensure_reference(plan: SearchPlan, runner: Runner, observer: SearchObserver) -> str:
    """The f32 reference outputs for the accuracy guard, computed once per study folder."""
    path = (plan.out_dir / "reference.npz").resolve()
    if not path.exists():
        source = plan.settings.inputs_dir or "seeded random inputs"
        observer.message(f"computing the f32 reference outputs for the accuracy guard ({source})")
        try:
            with machine_lock(observer.message):
                runner.call(
                    "reference_outputs",
                    {
                        "model_path": plan.model.path,
                        "shape": plan.model.shape,
                        "out_path": str(path),
                        "inputs": plan.model.inputs,
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


class InterruptFlag:
    """Remembers that SIGINT arrived (Python still raises KeyboardInterrupt as usual)."""

    def __init__(self) -> None:
        self.raised = False
        self._previous: Any = None
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.getsignal(signal.SIGINT)
            signal.signal(signal.SIGINT, self._handle)

    def _handle(self, signum: int, frame: object) -> None:
        self.raised = True
        raise KeyboardInterrupt

    def restore(self) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None


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
    complete = len(measured_trials(study))
    remaining = max(0, s.trials - complete)
    observer.search_started(plan.study_name, complete, s.trials, s.time_budget_s)
    study.sampler = make_sampler(s, s.trials)
    runner = runner or IsolatedRunner(plan.out_dir)
    reference = None
    if plan.limits.guards_accuracy:
        reference = ensure_reference(plan, runner, observer)
    settings = MeasureSettings(
        model=plan.model,
        trial_time_s=s.trial_time_s,
        trial_timeout_s=s.trial_timeout_s or default_trial_timeout(s.trial_time_s),
        limits=plan.limits,
        cache_dir=plan.cache_dir,
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
    interrupt = InterruptFlag()
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
                    MeasuredTrialsTarget(s.trials),
                    _abort_on_systematic_failure,
                    PresetBaselines(plan.space, observer.message),
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
        if any(c.feasible for c in configs):
            confirmation = run_confirmation(study, plan, runner, observer, configs)
        decision = study_decision(configs, confirmation, limits)
        winner = next(
            (c for c in configs if decision.winner and c.key == decision.winner.key), None
        )
        if winner is not None and decision.winner is not None and s.analyse:
            observer.message("analysing the winner: load times, per-layer profile, efficiency")
            fps = decision.winner.throughput.estimate
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
    return SearchOutcome(
        study_name=plan.study_name,
        storage=s.storage,
        out_dir=plan.out_dir,
        limits=limits,
        configs=configs,
        trials=trials,
        decision=decision,
        confirmation=confirmation,
        new_trials=sum(
            1
            for t in study.get_trials(deepcopy=False)
            if t.number not in existing and t.user_attrs.get("worker") == me
        ),
        elapsed_s=time.perf_counter() - started,
    )
