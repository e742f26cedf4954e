"""`autotune profile best_config.json`: per-layer counters of an exported config."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from autotune.core import BadInputError
from autotune.deploy._config_file import load_config
from autotune.measure import IsolatedRunner, TrialFailure, machine_lock, summarize_layers


def profile(path: str | Path, *, top: int = 15, iterations: int = 30) -> dict[str, Any]:
    """Per-layer counters of an exported config, summarized (top layers, exec types,
    optimized-out layers, Reorder overhead)."""
    if top < 1 or iterations < 1:
        raise BadInputError(
            "--top and --iterations must be at least 1", "e.g. --top 15 --iterations 30"
        )
    config = load_config(path)
    payload = {
        "model_path": config.model,
        "shape": config.base_shape,
        "batch_axes": config.batch_axes.to_dict(),
        "config": config.runtime_config.to_dict(),
        "iterations": iterations,
    }
    with IsolatedRunner() as runner, machine_lock():
        try:
            layers = runner.call("layer_counters", payload, timeout_s=600)
        except TrialFailure as exc:
            raise BadInputError(
                f"the config does not run here: {exc.reason}", "re-export it on this machine"
            ) from None
    return summarize_layers(layers["layers"], top=top)
