"""The python export: a deployment script in plain OpenVINO (no autotune needed where it
runs) that compiles the model once with the shipped properties, shape, request count and a
compile cache, and runs one round of requests."""

from __future__ import annotations

import shlex
from typing import Any

from autotune.deploy._rendered import Rendered

_TEMPLATE = '''"""Deploy the configuration autotune found for {model_name}: {label}.

{figure}

    python {script} path/to/{model_name} [--cache-dir DIR]

Plain OpenVINO: the properties, input shape, request count and compile cache that autotune
measured. Import compile_model() into your application, or run this file to check it.
"""

from __future__ import annotations

import argparse

import numpy as np
import openvino as ov

DEVICE = {device!r}
PROPERTIES = {properties}
SHAPE = {shape!r}  # only the inputs reshaped; the others keep the model's own shape
# Where the batch lives, as autotune found and verified it (inputs not listed take no batch
# and are shared by the whole batch; each output's batch axis is given).
BATCH_AXES = {batch_axes}
INFER_REQUESTS = {requests}
# What autotune read back from the compiled model where it was tuned: a difference here means
# this machine (or OpenVINO version) runs another configuration than the one measured.
TUNED_EFFECTIVE = {effective}


def compile_model(model_path: str, cache_dir: str = "ov_cache") -> ov.CompiledModel:
    """Compile once with the tuned properties; later starts load the blob from cache_dir."""
    core = ov.Core()
    model = core.read_model(model_path)
    if SHAPE:
        model.reshape(SHAPE)
    return core.compile_model(model, DEVICE, {{**PROPERTIES, "CACHE_DIR": cache_dir}})


def effective_text(value: object) -> str:
    """A property value as autotune records it: YES/NO, enum names, short type names."""
    if isinstance(value, bool):
        return "YES" if value else "NO"
    if isinstance(value, ov.Type):
        return str(value.get_type_name())
    text = str(value)
    enum_prefixes = ("PerformanceMode.", "SchedulingCoreType.")
    return text.split(".", 1)[1] if text.startswith(enum_prefixes) else text


def differences(compiled: ov.CompiledModel) -> dict[str, tuple[str, str]]:
    """{{property: (tuned, here)}} for the effective properties that differ here."""
    found = {{}}
    for key, tuned in TUNED_EFFECTIVE.items():
        try:
            here = effective_text(compiled.get_property(key))
        except RuntimeError:  # not readable on this device
            continue
        if here != tuned:
            found[key] = (tuned, here)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="the model file (.xml with its .bin, or .onnx)")
    parser.add_argument("--cache-dir", default="ov_cache", help="compile cache folder")
    args = parser.parse_args()
    compiled = compile_model(args.model, args.cache_dir)
    queue = ov.AsyncInferQueue(compiled, INFER_REQUESTS)
    zeros = {{
        port.get_any_name(): np.zeros(tuple(port.get_shape()), port.get_element_type().to_dtype())
        for port in compiled.inputs
    }}
    for _ in range(INFER_REQUESTS):  # one round of requests: the pipeline runs as measured
        queue.start_async(zeros)
    queue.wait_all()
    ran = f"{{INFER_REQUESTS}} request{{'' if INFER_REQUESTS == 1 else 's'}} ran"
    print(f"{{DEVICE}}: compiled with {{PROPERTIES}}, shape {{SHAPE}}; {{ran}}")
    for key, (tuned, here) in differences(compiled).items():
        print(f"note: {{key}} is {{here}} here, {{tuned}} where autotune measured it")


if __name__ == "__main__":
    main()
'''


def python_snippet(doc: dict[str, Any], script: str = "deploy.py") -> str:
    """The script for a best_config.json document."""
    from pathlib import Path

    props = doc["properties"][doc["device"]]
    metrics = doc.get("metrics") or {}
    fps = metrics.get("throughput_fps")
    latency = metrics.get("constrained_latency_ms")
    figure = doc.get("verdict") or ""
    server = (doc.get("scenario") or {}).get("name") == "server"
    if fps:
        unit = "req/s sustained under Poisson arrivals" if server else "FPS"
        figure = f"{fps:.1f} {unit}" + (
            f", {latency:.3g} ms constrained latency" if latency else ""
        )
        figure += f" where it was tuned. {doc.get('verdict', '')}".rstrip()
    return _TEMPLATE.format(
        model_name=Path(doc["model"]).name,
        label=doc.get("label", ""),
        figure=figure,
        script=Path(script).name,
        device=doc["device"],
        properties=_literal(
            {k: (v == "YES") if v in ("YES", "NO") else v for k, v in props.items()}
        ),
        shape=doc.get("shape"),
        batch_axes=_literal(
            {
                k: v
                for k, v in (doc.get("batch_axes") or {}).items()
                if k in ("inputs", "outputs", "searchable", "reason")
            }
        ),
        requests=int(doc["infer_requests"]),
        effective=_literal(
            {k: v for k, v in (doc.get("effective") or {}).items() if k != "EXECUTION_DEVICES"}
        ),
    )


def _literal(value: dict[str, Any]) -> str:
    """A dict as Python source, one key per line when it does not fit one."""
    import pprint

    return pprint.pformat(value, width=96, sort_dicts=False)


def render_python(doc: dict[str, Any], target: str) -> Rendered:
    return Rendered(python_snippet(doc, target), shlex.join(["python", target, doc["model"]]))
