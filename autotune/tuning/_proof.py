"""The proof stage of the server scenario: after the interleaved rounds decided what ships,
the rates the summary states (the winner's, and every hint's that meets the limits) are
proven on enough Poisson arrivals, interleaved, each within the --confirm-time budget.

The judge says after every window what each proof needs next, and which windows still fit the
budget (:func:`autotune.judge.run_proofs`); this module measures them in the worker."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from autotune.judge import ProofPlan, run_proofs, to_prove
from autotune.measure import LoadPoint, RateJob, RateWindow, Runner, TrialFailure, machine_lock
from autotune.study import ConfigResult, Confirmation, Proof, Proofs, study_decision
from autotune.tuning._observer import SearchObserver
from autotune.tuning._settings import SearchPlan


def proof_plan(plan: SearchPlan) -> ProofPlan:
    limit = plan.limits.max_latency_ms
    assert limit is not None, "the server scenario has a latency limit"
    return ProofPlan(
        percent=plan.limits.percentile, limit_ms=limit, budget_s=plan.settings.confirm_time_s
    )


def prove_claims(
    plan: SearchPlan,
    runner: Runner,
    observer: SearchObserver,
    configs: Sequence[ConfigResult],
    confirmation: Confirmation,
) -> Confirmation:
    """Prove the stated rates of the winner and the feasible hints (server scenario); the
    confirmation with the proofs (as it was when the proof could not run)."""
    decision = study_decision(configs, confirmation, plan.limits)
    chosen = to_prove(decision)
    proving = proof_plan(plan)
    if not chosen or proving.budget_s <= 0:
        return confirmation
    by_key = {c.key: c for c in configs}
    observer.message(
        f"proving the stated rates ({', '.join(c.label for c in chosen)}): "
        f"p{proving.percent:g} ≤ {proving.limit_ms:g} ms at "
        f"{proving.confidence * 100:g} % on enough Poisson arrivals, within "
        f"{proving.budget_s:g} s each (--confirm-time)"
    )

    model = plan.model
    job = RateJob(
        model_path=model.path,
        shape=model.shape,
        batch_axes=model.batch_axes.to_dict(),
        variants=plan.variants,
        configs=tuple(by_key[c.key].config for c in chosen),
        percent=proving.percent,
        latency_limit_ms=proving.limit_ms,
        cache_dir=plan.cache_dir,
        mix=model.mix.to_dict() if model.mix is not None else None,
        pad=plan.pad,
    )

    def measure_round(windows: list[RateWindow], rotation: int) -> list[LoadPoint | None]:
        with machine_lock(observer.message):
            return job.run(runner, windows, rotation)

    try:
        measured = run_proofs([c.throughput.estimate for c in chosen], proving, measure_round)
    except TrialFailure as exc:
        observer.message(f"the proof failed ({exc.reason}); the stated rates are not proven")
        return confirmation
    proofs = Proofs(
        proving,
        tuple(
            Proof(c.key, c.throughput.estimate, tuple(points), capped)
            for c, (points, capped) in zip(chosen, measured, strict=True)
        ),
    )
    for c in chosen:
        claim = proofs.claim(c.key)
        if claim is not None:
            observer.message(f"{c.label}: {claim.describe()}")
    return replace(confirmation, proofs=proofs)
