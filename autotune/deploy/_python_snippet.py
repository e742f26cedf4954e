"""The python export: a deployment script in plain OpenVINO (no autotune needed where it
runs) that compiles the model once with the shipped properties, shape, request count and a
compile cache, and runs one round of requests — or, for a single-stream config, the loop it
was measured in: one infer request, shared-memory input tensors, ``infer()`` frame after
frame."""

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
SHAPE = {shape!r}  # only the inputs reshaped (-1: dynamic, "lo..hi": bounded); the others keep theirs
# A bucket policy: requests are padded (with PAD) up to the smallest of these static shapes they
# fit, and each output is cut back to what the unpadded request gives (None: one model).
BUCKETS = {buckets!r}
PAD = {pad!r}
# A shape the traffic has, for this file's own check (main).
EXAMPLE_SHAPES = {example!r}
# Where the batch lives, as autotune found and verified it (inputs not listed take no batch
# and are shared by the whole batch; each output's batch axis is given).
BATCH_AXES = {batch_axes}
INFER_REQUESTS = {requests}
# "single-stream": one frame at a time, the next when the previous answered (the sync loop)
SCENARIO = {scenario!r}
# What autotune read back from the compiled model where it was tuned: a difference here means
# this machine (or OpenVINO version) runs another configuration than the one measured.
TUNED_EFFECTIVE = {effective}


def _partial(dims: list | str) -> ov.PartialShape:
    return ov.PartialShape(dims if isinstance(dims, str) else list(dims))


def compile_model(model_path: str, cache_dir: str = "ov_cache") -> "ov.CompiledModel | Buckets":
    """Compile once with the tuned properties; later starts load the blob from cache_dir."""
    core = ov.Core()
    model = core.read_model(model_path)
    properties = {{**PROPERTIES, "CACHE_DIR": cache_dir}}
    if SHAPE:
        model.reshape({{name: _partial(dims) for name, dims in SHAPE.items()}})
    models = [_static(model, bucket) for bucket in BUCKETS] if BUCKETS else [model]
    compiled = [core.compile_model(m, DEVICE, properties) for m in models]
    return Buckets(compiled, model) if BUCKETS else compiled[0]


def _static(model: ov.Model, bucket: dict) -> ov.Model:
    """The model reshaped to one bucket's static shape."""
    static = model.clone()
    static.reshape(bucket)
    return static


class Buckets:
    """The bucket policy: ``infer({{name: array}})`` pads a request up to its bucket, runs it
    there, and cuts each output back to the shape the unpadded request gives."""

    def __init__(self, compiled: list, dynamic: ov.Model) -> None:
        self.models = compiled
        self._dynamic = dynamic
        self.inputs = [port.get_any_name() for port in dynamic.inputs]

    def infer(self, inputs: dict) -> dict:
        shapes = {{name: list(np.shape(inputs[name])) for name in self.inputs}}
        index = next(
            i
            for i, bucket in enumerate(BUCKETS)
            if all(s <= b for name in bucket for s, b in zip(shapes[name], bucket[name]))
        )
        padded = {{
            name: np.pad(
                np.asarray(inputs[name]),
                [(0, b - s) for s, b in zip(shapes[name], BUCKETS[index][name])],
                constant_values=PAD.get(name, 0),
            )
            for name in self.inputs
        }}
        result = self.models[index].create_infer_request().infer(padded)
        unpadded = self._dynamic.clone()
        unpadded.reshape(shapes)
        return {{
            port.get_any_name(): np.array(result[i])[
                tuple(slice(0, d.get_length()) for d in port.get_partial_shape())
            ]
            for i, port in enumerate(unpadded.outputs)
        }}


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


class SingleStream:
    """The single-stream loop autotune measured: one infer request whose input tensors share
    memory with numpy arrays, so a frame written into ``inputs`` in place is inferred without
    a copy; ``infer()`` returns when the answer is there."""

    def __init__(self, compiled: ov.CompiledModel) -> None:
        self.request = compiled.create_infer_request()
        self.inputs = [
            np.zeros(tuple(port.get_shape()), port.get_element_type().to_dtype())
            for port in compiled.inputs
        ]
        for index, array in enumerate(self.inputs):
            self.request.set_input_tensor(index, ov.Tensor(array, shared_memory=True))

    def infer(self) -> float:
        """Infer the frame now in ``inputs``; its latency in ms."""
        self.request.infer()
        return float(self.request.latency)


def run_single_stream(compiled: ov.CompiledModel, frames: int = 200) -> None:
    loop = SingleStream(compiled)
    latencies = sorted(loop.infer() for _ in range(frames))  # write each frame into loop.inputs
    p90 = latencies[max(0, -(-frames * 9 // 10) - 1)]
    print(f"{{DEVICE}}: compiled with {{PROPERTIES}}; {{frames}} frames, p90 {{p90:.3f}} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="the model file (.xml with its .bin, or .onnx)")
    parser.add_argument("--cache-dir", default="ov_cache", help="compile cache folder")
    args = parser.parse_args()
    compiled = compile_model(args.model, args.cache_dir)
    if isinstance(compiled, Buckets):
        zeros = {{
            port.get_any_name(): np.zeros(
                EXAMPLE_SHAPES[port.get_any_name()], port.get_element_type().to_dtype()
            )
            for port in compiled._dynamic.inputs
        }}
        for _ in range(INFER_REQUESTS):
            compiled.infer(zeros)
        print(f"{{DEVICE}}: compiled {{len(BUCKETS)}} buckets with {{PROPERTIES}}")
        return
    if SCENARIO == "single-stream":
        run_single_stream(compiled)
        for key, (tuned, here) in differences(compiled).items():
            print(f"note: {{key}} is {{here}} here, {{tuned}} where autotune measured it")
        return
    queue = ov.AsyncInferQueue(compiled, INFER_REQUESTS)
    zeros = {{
        port.get_any_name(): np.zeros(
            EXAMPLE_SHAPES.get(port.get_any_name()) or tuple(port.get_shape()),
            port.get_element_type().to_dtype(),
        )
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
    scenario = (doc.get("scenario") or {}).get("name") or "offline"
    server = scenario == "server"
    judged = metrics.get("figure") or {}
    if judged.get("direction") == "minimize" and judged.get("estimate"):
        figure = f"{judged['name']} {judged['estimate']:.3g} {judged['unit']} ({scenario})"
        figure += f" where it was tuned. {doc.get('verdict', '')}".rstrip()
    elif fps:
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
        shape=_shape_for_script(doc),
        buckets=(doc.get("shapes") or {}).get("buckets"),
        pad=(doc.get("shapes") or {}).get("pad") or {},
        example=_example(doc),
        batch_axes=_literal(
            {
                k: v
                for k, v in (doc.get("batch_axes") or {}).items()
                if k in ("inputs", "outputs", "searchable", "reason")
            }
        ),
        requests=int(doc["infer_requests"]),
        scenario=scenario,
        effective=_literal(
            {k: v for k, v in (doc.get("effective") or {}).items() if k != "EXECUTION_DEVICES"}
        ),
    )


def _shape_for_script(doc: dict[str, Any]) -> dict[str, Any] | None:
    """SHAPE as the script takes it: lists (-1 dynamic), or "[1,3,48,96..512]" where a bounded
    policy bounds the varying axes."""
    shape = doc.get("shape")
    shapes = doc.get("shapes") or {}
    if not shape or shapes.get("policy") != "bounded":
        return shape
    return {
        name: "["
        + ",".join(
            f"{lo}..{hi}" if d == -1 else str(d)
            for d, (lo, hi) in zip(dims, shapes["bounds"][name], strict=True)
        )
        + "]"
        for name, dims in shape.items()
    }


def _example(doc: dict[str, Any]) -> dict[str, list[int]]:
    """One shape of the mix (the largest), for the script's own check."""
    bounds = (doc.get("shapes") or {}).get("bounds") or {}
    return {name: [hi for _, hi in spans] for name, spans in bounds.items()}


def _literal(value: dict[str, Any]) -> str:
    """A dict as Python source, one key per line when it does not fit one."""
    import pprint

    return pprint.pformat(value, width=96, sort_dicts=False)


def render_python(doc: dict[str, Any], target: str) -> Rendered:
    return Rendered(python_snippet(doc, target), shlex.join(["python", target, doc["model"]]))
