"""The f32 reference: its outputs on fixed inputs, saved once per study, and every config's
outputs compared against them (drift, top-1 agreement, the user's metric)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from autotune.core import DYNAMIC, InputInfo, RuntimeConfig
from autotune.measure._accuracy import compare_outputs
from autotune.measure._backend import RUNTIME, Backend, Session, model_options
from autotune.measure._metric import metric_drop
from autotune.measure._samples import MAX_SAMPLES, load_samples, random_samples


def _load_reference(
    path: str,
) -> tuple[list[list[np.ndarray]], list[dict[str, np.ndarray]], str]:
    with np.load(path, allow_pickle=False) as data:
        count = int(data["count"])
        n_inputs = int(data["inputs"])
        names = [str(n) for n in data["output_names"]]
        samples = [[data[f"in_{s}_{i}"] for i in range(n_inputs)] for s in range(count)]
        outputs = [{n: data[f"out_{s}_{k}"] for k, n in enumerate(names)} for s in range(count)]
        source = str(data["source"]) if "source" in data else "random"
    return samples, outputs, source


def accuracy(
    session: Session,
    reference_path: str,
    accuracy_fn: str | None = None,
    search_path: str | None = None,
) -> dict[str, Any]:
    """This config's outputs against the f32 reference on every sample (figures per output),
    and the user's metric drop when there is one."""
    samples, expected, source = _load_reference(reference_path)
    got = session.infer_samples(samples)
    record = compare_outputs(expected, got, source)
    if accuracy_fn:
        record["metric"] = metric_drop(accuracy_fn, expected, got, search_path)
    return record


def reference_outputs(
    *,
    model_path: str,
    shape: dict[str, list[int]] | None,
    out_path: str,
    inputs: tuple[InputInfo, ...],
    inputs_dir: str | None = None,
    batch_axes: dict[str, Any] | None = None,
    mix: dict[str, Any] | None = None,
    max_samples: int = MAX_SAMPLES,
    backend: Backend = RUNTIME,
) -> dict[str, Any]:
    """Outputs of the f32 reference (LATENCY hint, f32, the study's own batch; the dynamic model
    at each sample's own shape for a mix) on fixed inputs, saved for every trial to compare
    against. ``inputs`` are the model's inputs as the parent inspected them; random samples are
    distinct except on inputs without a batch axis (which a batch shares), and drawn from the
    mix's shapes."""
    options = model_options(batch_axes, mix, None)
    axes, shapes = options["batch_axes"], options["mix"]
    cfg = RuntimeConfig(
        hint="LATENCY",
        precision="f32",
        infer_requests=1,
        batch=axes.batch,
        shape_policy=DYNAMIC if shapes is not None and shapes.varies else None,
    )
    session = backend.compile(model_path, shape, cfg, **options)
    try:
        samples = (
            load_samples(inputs_dir, inputs, limit=max_samples, axes=axes.inputs, mix=shapes)
            if inputs_dir
            else random_samples(
                inputs,
                shared=[i.name for i in inputs if i.name not in axes.inputs],
                mix=shapes,
            )
        )
        arrays: dict[str, np.ndarray] = {}
        names: list[str] = []
        started = backend.clock()
        computed = session.infer_samples(samples)
        seconds = backend.clock() - started
        for s, (sample, outputs) in enumerate(zip(samples, computed, strict=True)):
            names = list(outputs)
            arrays.update({f"in_{s}_{i}": a for i, a in enumerate(sample)})
            arrays.update({f"out_{s}_{k}": outputs[n] for k, n in enumerate(names)})
    finally:
        session.close()
    target = Path(out_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".npz", delete=False) as f:
        contents: dict[str, Any] = {
            "count": len(samples),
            "inputs": len(samples[0]),
            "output_names": np.array(names),
            "source": np.array(inputs_dir or "random"),
            **arrays,
        }
        np.savez(f, **contents)
    Path(f.name).replace(target)
    return {
        "samples": len(samples),
        "outputs": names,
        "source": inputs_dir or "random",
        "seconds": seconds,  # what every trial's accuracy check adds, about
    }
