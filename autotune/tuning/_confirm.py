"""The confirmation stage: re-measure the best candidates and every hint preset interleaved
(A B C, B C A, …), one window each per round, so slow drifts of the machine hit every config
alike and the judge can compare them round by round (paired ratios). When the judge finds the
comparisons that decide what ships inconclusive, more rounds are measured (5 at a time, up to
--max-rounds); the judge alone says whether the rounds decide and at what confidence. In the
server scenario the rates the summary states are then proven (:mod:`._proof`)."""

from __future__ import annotations

from collections.abc import Sequence

import optuna

from autotune.judge import DEFAULT_TIE_MARGIN, RoundPlan
from autotune.measure import (
    InterleavedJob,
    Runner,
    TrialFailure,
    Window,
    confirmation_window_s,
    machine_lock,
)
from autotune.study import (
    ConfigResult,
    Confirmation,
    ConfirmedCandidate,
    ranked_feasible,
    save_confirmation,
    study_decision,
)
from autotune.tuning._observer import SearchObserver
from autotune.tuning._proof import prove_claims
from autotune.tuning._settings import SearchPlan

# Candidates that were feasible in the search but none of them in the confirmation: the
# machine changed under us (another job, steal). One more set of rounds, then the judge falls
# back to the search figures (and says the result is not confirmed).
CONFIRMATION_ATTEMPTS = 2


def pick_candidates(configs: Sequence[ConfigResult], top_k: int) -> list[ConfigResult]:
    """The top-k feasible tuned configs (by search figure) plus every measured hint preset."""
    chosen = [c for c in ranked_feasible(configs) if not c.presets][:top_k]
    chosen += [c for c in configs if c.presets]
    return chosen


def record(
    candidates: Sequence[ConfigResult],
    measured: Sequence[Sequence[Window]],
    *,
    rounds: int,
    window_s: float,
    plan: RoundPlan | None = None,
) -> Confirmation:
    """The stored form of a confirmation: each candidate's round windows, and the plan they
    are judged by (the first ``plan.planned`` rounds, more up to ``plan.budget``)."""
    return Confirmation(
        candidates=tuple(
            ConfirmedCandidate(key=c.key, label=c.label, windows=tuple(w))
            for c, w in zip(candidates, measured, strict=True)
        ),
        rounds=rounds,
        window_s=window_s,
        planned=plan.planned if plan else rounds,
        max_rounds=plan.budget if plan else rounds,
        tie_margin=plan.tie_margin if plan else DEFAULT_TIE_MARGIN,
    )


class _Rounds:
    """Interleaved rounds of the candidates in the worker, numbered on from earlier ones."""

    def __init__(
        self,
        plan: SearchPlan,
        runner: Runner,
        observer: SearchObserver,
        candidates: list[ConfigResult],
    ) -> None:
        self.plan = plan
        self.runner = runner
        self.observer = observer
        self.candidates = candidates
        self.window_s = confirmation_window_s(plan.settings.trial_time_s)

    def measure(self, rounds: int, after: Confirmation | None = None) -> list[list[Window]]:
        """``rounds`` more rounds (raises TrialFailure)."""
        plan = self.plan
        model = plan.model
        job = InterleavedJob(
            model_path=model.path,
            shape=model.shape,
            batch_axes=model.batch_axes.to_dict(),
            mix=model.mix.to_dict() if model.mix is not None else None,
            pad=plan.pad,
            variants=plan.variants,
            configs=tuple(c.config for c in self.candidates),
            rounds=rounds,
            first_round=after.rounds if after else 0,
            window_s=self.window_s,
            percent=plan.limits.percentile,
            cache_dir=plan.cache_dir,
            scenario=plan.limits.scenario,
            # each round searches each config's sustainable rate, starting where it held last
            start_rates=tuple(self._last_rate(c, after) for c in self.candidates),
            latency_limit_ms=plan.limits.max_latency_ms,
            fps=plan.limits.fps,
            streams=plan.limits.streams,
            at_rate=plan.limits.at_rate,
        )
        with machine_lock(self.observer.message):
            return job.run(self.runner)

    @staticmethod
    def _last_rate(config: ConfigResult, after: Confirmation | None) -> float:
        confirmed = after.get(config.key) if after else None
        if confirmed and confirmed.windows:
            last = max(confirmed.windows, key=lambda w: w.index).throughput_fps
            return last or config.throughput_fps
        return config.throughput_fps


def run_confirmation(
    study: optuna.Study,
    plan: SearchPlan,
    runner: Runner,
    observer: SearchObserver,
    configs: list[ConfigResult],
) -> Confirmation | None:
    """Re-measure the top-k feasible configs and the hint presets interleaved; while the judge
    finds the deciding comparisons inconclusive, add rounds up to the budget; store the rounds."""
    s = plan.settings
    candidates = pick_candidates(configs, s.confirm_top)
    if s.confirm_top <= 0 or not any(not c.presets for c in candidates):
        return None
    interleaved = _Rounds(plan, runner, observer, candidates)
    round_plan = s.round_plan
    observer.confirmation_started(
        len(candidates),
        round_plan.planned,
        len(candidates) * round_plan.planned * interleaved.window_s,
    )
    confirmation = None
    for attempt in range(1, CONFIRMATION_ATTEMPTS + 1):
        try:
            windows = interleaved.measure(round_plan.planned)
        except TrialFailure as exc:
            observer.message(
                f"confirmation failed ({exc.reason}); the decision rests on the search alone"
            )
            return None
        confirmation = record(
            candidates,
            windows,
            rounds=round_plan.planned,
            window_s=interleaved.window_s,
            plan=round_plan,
        )
        if study_decision(configs, confirmation, plan.limits).confirmed:
            break
        observer.message(
            f"no candidate met the limit in confirmation round set {attempt} although they did "
            "in the search (is the machine busier now?)"
            + ("; measuring once more" if attempt < CONFIRMATION_ATTEMPTS else "")
        )
    assert confirmation is not None
    confirmation = _until_decisive(confirmation, configs, plan, interleaved)
    if plan.limits.sustainable:
        confirmation = prove_claims(plan, runner, observer, configs, confirmation)
    save_confirmation(study, confirmation)
    return confirmation


def _until_decisive(
    confirmation: Confirmation,
    configs: list[ConfigResult],
    plan: SearchPlan,
    interleaved: _Rounds,
) -> Confirmation:
    """Ask the judge after each look whether the rounds decide; while they do not and the
    budget allows, measure the next rounds (the judge's plan says how many)."""
    decision = study_decision(configs, confirmation, plan.limits)
    while decision.confirmed and not decision.decisive:
        more = confirmation.plan().more(confirmation.rounds)
        if more <= 0:
            break
        interleaved.observer.message(
            f"{'; '.join(decision.undecided)}: inconclusive after {confirmation.rounds} "
            f"rounds; measuring {more} more"
        )
        try:
            windows = interleaved.measure(more, after=confirmation)
        except TrialFailure as exc:
            interleaved.observer.message(
                f"confirmation failed ({exc.reason}); the decision rests on the first "
                f"{confirmation.rounds} rounds"
            )
            break
        confirmation = confirmation.extended(windows)
        decision = study_decision(configs, confirmation, plan.limits)
    return confirmation
