"""The benchmark_app export: its -load_config file and the command that reproduces the shipped
configuration as autotune measured it."""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

from autotune.core import BATCH_DEVICE, BOUNDED, SEQUENCE_LENGTH, ShapeMix, format_shape
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
    shapes = doc.get("shapes") or {}
    if shapes.get("buckets"):
        return None, (
            "benchmark_app cannot dispatch requests to several static models (a bucket policy); "
            "use autotune.compile_model or the python export"
        )
    props = doc["properties"][device]
    requests = int(doc["infer_requests"])
    command = ["benchmark_app", "-m", doc["model"], "-d", device]
    shape = doc.get("shape") or {}
    if shapes:
        # the model as deployed (varying axes dynamic, or bounded), fed the measured sequence
        command += ["-shape", mix_shape_text(shape, shapes)]
        command += ["-data_shape", data_shapes(shapes)]
    elif shape:  # only the inputs the deployment reshapes; the others keep the model's shape
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
    # (benchmark_app runs dynamic shapes on the async API only: one request in flight there)
    api = "sync" if requests == 1 and not shapes else "async"
    command += ["-api", api, "-nireq", str(requests)]
    command += ["-load_config", config_path, "-t", str(seconds)]
    scenario = doc.get("scenario") or {}
    if scenario.get("name") == "single-stream":
        # the figure is a latency percentile: benchmark_app reports the median unless asked
        command += ["-latency_percentile", f"{round(float(scenario.get('percentile', 90)))}"]
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
    if scenario.get("name") == "single-stream":
        notes.append(
            f"note: compare it with the LATENCY hint interleaved: benchmark_app -m {doc['model']} "
            f"-d {doc['device']} -hint latency -api sync -nireq 1 (read the p{scenario.get('percentile', 90):g} "
            "latency with -latency_percentile)"
        )
    if scenario.get("name") == "multi-stream":
        notes.append(
            "note: benchmark_app runs a closed loop, not periodic cameras: it shows this "
            "config's ceiling, not the sources it holds at the latency limit"
        )
    if scenario.get("name") == "server":
        key = f"p{scenario['percentile']:g}"
        notes.append(
            "note: benchmark_app runs a closed loop, so it shows this config's ceiling "
            f"({scenario.get('closed_loop_fps') or 0:.1f} FPS here), not the rate it sustains "
            f"under Poisson arrivals ({scenario['sustainable_rate']:.1f} req/s at {key} ≤ "
            f"{scenario['max_latency_ms']:g} ms)"
        )
    return Rendered(content, command_line(command) if command else "", tuple(notes))


def mix_shape_text(shape: dict[str, list[int]], shapes: dict[str, Any]) -> str:
    """``x[1,3,48,-1]`` (dynamic) or ``x[1,3,48,96..512]`` (bounded): benchmark_app's -shape for
    a config measured over a mix."""
    bounded = shapes.get("policy") == BOUNDED
    parts = []
    for name, dims in shape.items():
        spans = shapes["bounds"][name]
        text = [
            f"{lo}..{hi}" if d == -1 and bounded else str(d)
            for d, (lo, hi) in zip(dims, spans, strict=True)
        ]
        parts.append(f"{name}[{','.join(text)}]")
    return ",".join(parts)


def data_shapes(shapes: dict[str, Any], length: int = SEQUENCE_LENGTH) -> str:
    """benchmark_app's ``-data_shape``: the first ``length`` shapes of the seeded sequence every
    config was measured on (benchmark_app cycles through them)."""
    mix = ShapeMix.from_dict(shapes["mix"])
    assert mix is not None
    sequence = mix.sequence(seed=0, length=length)
    return ",".join(
        name + "".join(f"[{','.join(map(str, s[name]))}]" for s in sequence)
        for name in sequence[0]
    )
