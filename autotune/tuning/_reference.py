"""The f32 reference outputs the accuracy guard compares every trial with."""

from __future__ import annotations

from autotune.core import TrialsFailedError
from autotune.measure import Runner, TrialFailure, default_trial_timeout, machine_lock
from autotune.tuning._observer import SearchObserver
from autotune.tuning._settings import SearchPlan


def ensure_reference(plan: SearchPlan, runner: Runner, observer: SearchObserver) -> str:
    """Computed once per study folder (LATENCY hint, f32), on the user's samples or seeded
    random ones."""
    s = plan.settings
    # one reference per sample budget: a raised --max-samples computes it again
    name = f"reference-{s.max_samples}.npz" if s.inputs_dir else "reference.npz"
    path = (plan.out_dir / name).resolve()
    if not path.exists():
        source = s.inputs_dir or "seeded random inputs"
        observer.message(f"computing the f32 reference outputs for the accuracy guard ({source})")
        try:
            with machine_lock(observer.message):
                made = runner.call(
                    "reference_outputs",
                    {
                        "model_path": plan.model.path,
                        "shape": plan.model.shape,
                        "out_path": str(path),
                        "inputs": plan.model.inputs,
                        "inputs_dir": s.inputs_dir,
                        "batch_axes": plan.model.batch_axes.to_dict(),
                        "mix": plan.model.mix.to_dict() if plan.model.mix is not None else None,
                        "max_samples": s.max_samples,
                    },
                    timeout_s=default_trial_timeout(s.trial_time_s) + 10 * s.max_samples,
                )
        except TrialFailure as exc:
            raise TrialsFailedError(
                f"the f32 reference run failed: {exc.reason}",
                "check the model runs with benchmark_app, or pass --max-drift off --min-top1 off",
            ) from None
        observer.message(
            f"the accuracy guard compares {made['samples']} samples in every trial "
            f"(about {made['seconds']:.1f} s each in f32"
            + ("; lower --max-samples to shorten it)" if s.inputs_dir else ")")
        )
    return str(path)
