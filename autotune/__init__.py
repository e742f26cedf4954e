"""autotune: find the fastest OpenVINO runtime configuration for a model on this machine.

Library entry points (the CLI is a thin shell over them)::

    import autotune
    outcome = autotune.search(autotune.SearchSettings("model.xml", max_latency_s=0.02))
    print(outcome.winner.label, outcome.winner.throughput_fps, outcome.decision.verdict)
    compiled, n_requests = autotune.compile_model("studies/<study>/best_config.json")

The pipeline, one package per stage (dependencies point one way, down this list):
``cli`` → ``_api`` → ``tuning`` / ``deploy`` / ``report`` / ``testing`` → ``study`` →
``judge`` → ``measure`` → ``runtime`` (the only one importing openvino) → ``core``.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "__version__",
    "AutotuneError",
    "SearchSettings",
    "compile_model",
    "load_config",
    "load_study",
    "search",
]

from autotune.core import AutotuneError


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("openvino-autotune")
    except metadata.PackageNotFoundError:  # a checkout that was not installed
        return "0+unknown"


__version__ = _version()


def __getattr__(name: str) -> Any:
    # Lazy: importing autotune must not load openvino/optuna until they are needed.
    if name in ("compile_model", "load_config"):
        from autotune import deploy

        return getattr(deploy, name)
    if name == "search":
        from autotune._api import search

        return search
    if name == "SearchSettings":
        from autotune.tuning import SearchSettings

        return SearchSettings
    if name == "load_study":
        from autotune.study import load_study

        return load_study
    raise AttributeError(name)
