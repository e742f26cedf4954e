"""The export formats, in one registry. A file format renders ``(doc, target) → Rendered``
(the file's content, the command that uses it, notes); a folder format writes
``(doc, folder) → Rendered`` (no content: it wrote the folder).

Adding a format is a module with its renderer and one entry in :data:`FORMATS`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autotune.deploy._benchmark_app import render_benchmark_app
from autotune.deploy._ovms import write_repository
from autotune.deploy._python_snippet import render_python
from autotune.deploy._rendered import Rendered


def render_json(doc: dict[str, Any], target: str) -> Rendered:
    return Rendered(json.dumps(doc, indent=2) + "\n")


@dataclass(frozen=True)
class Format:
    """How one export format is produced, and where it goes without -o / --out-dir."""

    help: str
    render: Callable[[dict[str, Any], str], Rendered] | None = None
    write: Callable[[dict[str, Any], Path], Rendered] | None = None
    default_target: str | None = None  # in the study folder; None: stdout
    carries_model: bool = False  # a shipped INT8 IR is copied next to the file written

    @property
    def folder(self) -> bool:
        return self.write is not None


FORMATS: dict[str, Format] = {
    "json": Format("best_config.json", render=render_json, carries_model=True),
    "benchmark_app": Format(
        "a -load_config file and the command that uses it",
        render=render_benchmark_app,
        default_target="benchmark_app_config.json",  # best_config.json is not its format
    ),
    "python": Format("a plain-OpenVINO deployment script", render=render_python),
    "ovms": Format(
        "an OpenVINO Model Server repository (model + config.json)",
        write=write_repository,
        default_target="ovms",
    ),
}
