"""autotune: find the fastest OpenVINO runtime configuration for a model on this machine.

Library entry points (the CLI is a thin shell over them)::

    import autotune
    outcome = autotune.search(autotune.SearchSettings("model.xml", max_latency_s=0.02))
    compiled, n_requests = autotune.compile_model("studies/<study>/best_config.json")
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AutotuneError",
    "SearchSettings",
    "compile_model",
    "load_config",
    "search",
]

from autotune.errors import AutotuneError


def __getattr__(name: str) -> Any:
    # Lazy: importing autotune must not load openvino/optuna until they are needed.
    if name in ("compile_model", "load_config"):
        from autotune import export

        return getattr(export, name)
    if name == "search":
        from autotune.workflow import search

        return search
    if name == "SearchSettings":
        from autotune.plan import SearchSettings

        return SearchSettings
    raise AttributeError(name)
