"""`autotune profile best_config.json`: per-layer counters of an exported config."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from autotune.errors import BadInputError
from autotune.export import load_config
from autotune.lock import machine_lock
from autotune.profiling import summarize
from autotune.worker import IsolatedRunner, TrialFailure


def profile_config(path: str | Path, *, top: int = 15, iterations: int = 30) -> dict[str, Any]:
    if top < 1 or iterations < 1:
        raise BadInputError(
            "--top and --iterations must be at least 1", "e.g. --top 15 --iterations 30"
        )
    config = load_config(path)
    payload = {
        "model_path": config.model,
        "shape": config.base_shape,
        "config": config.runtime_config.to_dict(),
        "iterations": iterations,
    }
    with IsolatedRunner() as runner, machine_lock():
        try:
            layers = runner.call("profile_config", payload, timeout_s=600)
        except TrialFailure as exc:
            raise BadInputError(
                f"the config does not run here: {exc.reason}", "re-export it on this machine"
            ) from None
    return summarize(layers["layers"], top=top)
