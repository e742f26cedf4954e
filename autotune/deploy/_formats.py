"""The export formats, one renderer each: ``render(doc, target) → (file content, message)``.

Adding a format is a module with its renderer and one line in :data:`FORMATS`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from autotune.core import ConfigFileError
from autotune.deploy._benchmark_app import DEFAULT_FILE as BENCHMARK_APP_FILE
from autotune.deploy._benchmark_app import render_benchmark_app
from autotune.deploy._ovms import render_ovms
from autotune.deploy._python_snippet import render_python

Renderer = Callable[[dict[str, Any], str], tuple[str, str]]


def render_json(doc: dict[str, Any], target: str) -> tuple[str, str]:
    return json.dumps(doc, indent=2) + "\n", ""


FORMATS: dict[str, Renderer] = {
    "json": render_json,
    "benchmark_app": render_benchmark_app,
    "python": render_python,
    "ovms": render_ovms,
}
# Formats whose output is a file the printed command points at: written to the study folder
# when no -o is given.
DEFAULT_FILES = {"benchmark_app": BENCHMARK_APP_FILE}


def render(doc: dict[str, Any], fmt: str, target: str) -> tuple[str, str]:
    """(file content, message for the terminal) of ``doc`` in format ``fmt``; ``target`` is
    where the content will be written (a command may refer to it)."""
    renderer = FORMATS.get(fmt)
    if renderer is None:
        raise ConfigFileError(
            f"unknown export format {fmt!r}", f"use one of: {', '.join(FORMATS)}"
        )
    return renderer(doc, target)
