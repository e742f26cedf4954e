"""The benchmark_app export: its -load_config file and the command that reproduces the shipped
configuration as autotune measured it."""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

from autotune.core import BATCH_DEVICE, format_shape
from autotune.deploy._rendered import Rendered

# Without -o, the -load_config file goes next to best_config.json (whose format differs).
DEFAULT_FILE = "benchmark_app_config.json"


def benchmark_app_command(
    doc: dict[str, Any], config_path: str, seconds: int = 10
) -> tuple[list[str] | None, str]:
    """The benchmark_app command reproducing ``doc``, or None with the reason it cannot."""
    device = doc["device"]
    if device.startswith(BATCH_DEVICE):
        return None, (
            "benchmark_app (Python) cannot run the BATCH device (it crashes on -d BATCH:CPU(N)); "
            "use autotune.compile_model or the python export"
        )
    props = doc["properties"][device]
    requests = int(doc["infer_requests"])
    command = ["benchmark_app", "-m", doc["model"], "-d", device]
    shape = doc.get("shape") or {}
    if shape:  # only the inputs the deployment reshapes; the others keep the model's shape
        command += ["-shape", format_shape(shape)]
    layouts = (doc.get("batch_axes") or {}).get("layouts") or {}
    if layouts:
        # Each input's batch axis as the study found it ("?N?" for a state batched on axis 1,
        # "..." for an input without one), so benchmark_app counts frames (not requests) in its
        # FPS and never guesses a batch where there is none.
        command += ["-layout", ",".join(f"{n}[{layout}]" for n, layout in layouts.items())]
    # The hint as the config has it (-nstreams/-nthreads-style knobs come from -load_config and
    # need "-hint none"); one request runs the sync API, as autotune measured it.
    command += ["-hint", str(props.get("PERFORMANCE_HINT", "none")).lower()]
    command += ["-api", "sync" if requests == 1 else "async", "-nireq", str(requests)]
    command += ["-load_config", config_path, "-t", str(seconds)]
    return command, ""


# Words printed bare: shlex's safe characters, plus the brackets and "?" of -shape and -layout
# (images[1,3,224,224], x[N???]). Quoting those would break `cmd=$(autotune export …) && $cmd`
# (an expanded variable keeps its quotes); bare, an unmatched glob stays as it is in bash.
_BARE = re.compile(r"[\w@%+=:,./\-\[\]?]+")


def command_line(words: list[str]) -> str:
    """``words`` as one line a shell runs as it is, or through ``$cmd`` (quoted only where a
    word needs it: spaces, quotes, other shell characters)."""
    return " ".join(w if _BARE.fullmatch(w) else shlex.quote(w) for w in words)


def render_benchmark_app(doc: dict[str, Any], target: str) -> Rendered:
    """The -load_config file and the command that uses it (or why there is none)."""
    command, reason = benchmark_app_command(doc, target)
    content = json.dumps(doc["properties"], indent=2) + "\n"
    notes = [] if command else [f"note: {reason}"]
    scenario = doc.get("scenario") or {}
    if scenario.get("name") == "server":
        key = f"p{scenario['percentile']:g}"
        notes.append(
            "note: benchmark_app runs a closed loop, so it shows this config's ceiling "
            f"({scenario.get('closed_loop_fps') or 0:.1f} FPS here), not the rate it sustains "
            f"under Poisson arrivals ({scenario['sustainable_rate']:.1f} req/s at {key} ≤ "
            f"{scenario['max_latency_ms']:g} ms)"
        )
    return Rendered(content, command_line(command) if command else "", tuple(notes))
