"""The f32 reference outputs the accuracy guard compares every trial with."""

from __future__ import annotations

from autotune.core import TrialsFailedError
from autotune.measure import Runner, TrialFailure, default_trial_timeout, machine_lock
from autotune.tuning._observer import SearchObserver
from autotune.tuning._settings import SearchPlan


def ensure_reference(plan: SearchPlan, runner: Runner, observer: SearchObserver) -> str:
    """Computed once per study folder (LATENCY hint, f32), on the user's samples or seeded
    random ones."""
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
                        "batch_axes": plan.model.batch_axes.to_dict(),
                        "mix": plan.model.mix.to_dict() if plan.model.mix is not None else None,
                    },
                    timeout_s=default_trial_timeout(plan.settings.trial_time_s),
                )
        except TrialFailure as exc:
            raise TrialsFailedError(
                f"the f32 reference run failed: {exc.reason}",
                "check the model runs with benchmark_app, or pass --max-drift off --min-top1 off",
            ) from None
    return str(path)
