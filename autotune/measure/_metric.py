"""The user's own accuracy metric (``--accuracy-fn module:function``): a function of the
outputs of every ``--inputs`` sample, in file order, returning a number where higher is better.
A configuration may lose at most ``--max-drop`` of it against the f32 reference outputs.

    # mymetrics.py, next to where you run autotune
    def top5(outputs: list[dict[str, numpy.ndarray]]) -> float:
        ...
"""

from __future__ import annotations

import importlib
import math
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from autotune.core import BadInputError

Metric = Callable[[list[dict[str, np.ndarray]]], float]


def load_metric(spec: str, search_path: str | None = None) -> Metric:
    """Import ``module:function`` (from ``search_path`` first: the folder autotune was started
    in, since the worker process may run elsewhere)."""
    module_name, _, name = spec.partition(":")
    if not module_name or not name:
        raise BadInputError(
            f"--accuracy-fn {spec!r} is not module:function", "e.g. --accuracy-fn mymetrics:top5"
        )
    if search_path and search_path not in sys.path:
        sys.path.insert(0, search_path)
    importlib.invalidate_caches()  # the module may have been written after startup
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:
        raise BadInputError(
            f"--accuracy-fn: cannot import {module_name!r} ({type(exc).__name__}: {exc})",
            "put the module in the current folder or on PYTHONPATH",
        ) from None
    fn = getattr(module, name, None)
    if not callable(fn):
        raise BadInputError(
            f"--accuracy-fn: {module_name!r} has no function {name!r}",
            "name a function that takes the list of outputs and returns a number",
        )
    return fn  # type: ignore[no-any-return]


def check_accuracy_fn(spec: str, search_path: str | None = None) -> None:
    """Fail now, with one line, when the metric cannot be imported."""
    load_metric(spec, search_path)


def metric_drop(
    spec: str,
    expected: list[dict[str, np.ndarray]],
    got: list[dict[str, np.ndarray]],
    search_path: str | None = None,
) -> dict[str, Any]:
    """The metric on the f32 reference outputs and on this config's, and the drop."""
    fn = load_metric(spec, search_path)
    reference, value = float(fn(expected)), float(fn(got))
    drop = reference - value if math.isfinite(reference) and math.isfinite(value) else math.inf
    return {"fn": spec, "reference": reference, "value": value, "drop": drop}
