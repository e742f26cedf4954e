"""Finding a model's batch axes, and proving them in f32 with distinct samples.

1. Candidates: an axis the user declared (``--layout``), else the model's own layout, else every
   axis that is 1 (or dynamic) in the measured shape; an input without one (a state with no
   batch, a shared table, a scalar) is never reshaped.
2. Shape inference: with every chosen axis doubled, each output must double exactly one axis
   (that axis is the output's batch axis).
3. Numbers: N distinct samples fed as one batch must give each sample, along the output axes,
   its own batch-1 outputs (f32, relative L2 ≤ :data:`~autotune.core.BATCH_TOLERANCE`). A graph
   with fixed-size reshapes accepts batch 2 and fails here.
4. The BATCH device, when asked, is proven the same way with distinct concurrent requests.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import openvino as ov

from autotune.core import (
    BATCH_DEVICE,
    BATCH_TOLERANCE,
    BadInputError,
    BatchAxes,
    layout_axis,
    split_outputs,
    stack_samples,
)
from autotune.runtime._errors import openvino_message
from autotune.runtime._model import (
    input_name,
    input_roles,
    output_name,
    output_names,
    outputs_of,
    random_inputs,
    reshaped,
    shared_core,
)

# Shape inference is a few ms a try; this bounds the combinations tried on many-input models.
MAX_COMBINATIONS = 64
_F32 = {"INFERENCE_PRECISION_HINT": "f32", "PERFORMANCE_HINT": "LATENCY"}


def _candidates(
    port: ov.Output, base: list[int], declared: str | None, name: str
) -> tuple[list[int], str]:
    """An input's possible batch axes, best first, and where they come from."""
    partial = port.get_partial_shape()
    rank = len(base)
    if declared is not None:
        try:
            axis = layout_axis(declared, rank)
        except ValueError as exc:
            raise BadInputError(
                f"--layout {name}[{declared}] does not fit input '{name}' {partial}: {exc}",
                "give one letter or ? per axis, or use ... for the rest",
            ) from None
        return ([] if axis is None else [axis]), "--layout"
    layout = ov.layout_helpers.get_layout(port)
    if not layout.empty and ov.layout_helpers.has_batch(layout):
        return [ov.layout_helpers.batch_idx(layout) % rank], "model layout"
    ones = [k for k, d in enumerate(partial) if (d.is_dynamic or d.get_length() == 1)]
    first = [k for k in ones if base[k] == 1]
    # A dynamic axis --shape fixed above 1 may be the user's chosen batch (``[4,3,224,224]``).
    fixed = [k for k in ones if base[k] > 1 and partial[k].is_dynamic]
    return first + fixed, "shape inference"


def _combinations(options: list[list[int | None]]) -> list[tuple[int | None, ...]]:
    """Every choice of one option per input, most inputs batched and best candidates first."""
    combos = [c for c in itertools.product(*options) if any(a is not None for a in c)]

    def rank(combo: tuple[int | None, ...]) -> tuple[int, int]:
        shared = sum(a is None for a in combo)
        return shared, sum(opts.index(a) for opts, a in zip(options, combo, strict=True))

    return sorted(combos, key=rank)[:MAX_COMBINATIONS]


def _output_axes(
    model: ov.Model, axes: dict[str, int], base: dict[str, list[int]], factor: int
) -> dict[str, int] | str:
    """Each output's batch axis when every input axis in ``axes`` grows ``factor`` times, or
    why there is none."""
    fixed = reshaped(model, base)
    before = {output_name(o, i): o.get_partial_shape() for i, o in enumerate(fixed.outputs)}
    shapes = {n: list(base[n]) for n in base}
    for name, axis in axes.items():
        shapes[name][axis] *= factor
    try:
        grown = reshaped(model, shapes)
    except Exception as exc:
        return f"the model refuses it ({openvino_message(exc, 120)})"
    found: dict[str, int] = {}
    for index, port in enumerate(grown.outputs):
        name = output_name(port, index)
        old, new = before[name], port.get_partial_shape()
        if old.is_dynamic or new.is_dynamic:
            return f"output '{name}' has a shape known only at run time ({new})"
        changed = [k for k, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
        if (
            len(changed) != 1
            or new[changed[0]].get_length() != factor * old[changed[0]].get_length()
        ):
            return f"output '{name}' becomes {new} (from {old}), not one axis ×{factor}"
        found[name] = changed[0]
    return found


def _rel_l2(got: np.ndarray, ref: np.ndarray) -> float:
    r = ref.astype(np.float64)
    d = got.astype(np.float64) - r
    norm = float(np.linalg.norm(r))
    err = float(np.linalg.norm(d))
    return err / norm if norm > 0 else (0.0 if err == 0 else math.inf)


def _samples(model: ov.Model, count: int, axes: dict[str, int]) -> list[list[np.ndarray]]:
    """``count`` distinct seeded samples; inputs without a batch axis share sample 0's value."""
    roles = input_roles(model)
    samples = [random_inputs(model, roles, seed=1000 + s, zero_state=False) for s in range(count)]
    for sample in samples[1:]:
        for index, port in enumerate(model.inputs):
            if input_name(port, index) not in axes:
                sample[index] = samples[0][index]
    return samples


def _run(
    compiled: ov.CompiledModel, arrays: list[np.ndarray], names: list[str]
) -> dict[str, np.ndarray]:
    request = compiled.create_infer_request()
    request.infer([np.asarray(a, order="C") for a in arrays])
    return outputs_of(request, names)


def _worst(
    got: list[dict[str, np.ndarray]], expected: list[dict[str, np.ndarray]]
) -> tuple[float, str]:
    """The largest per-sample relative L2 and the output it is on."""
    worst, where = 0.0, ""
    for mine, ref in zip(got, expected, strict=True):
        for name, array in ref.items():
            value = mine.get(name)
            err = (
                math.inf if value is None or value.shape != array.shape else _rel_l2(value, array)
            )
            if err > worst or not where:
                worst, where = err, name
    return worst, where


def _verify(
    model: ov.Model,
    base: dict[str, list[int]],
    axes: dict[str, int],
    out_axes: dict[str, int],
    sizes: Sequence[int],
    device: str,
) -> tuple[float, str]:
    """Batches of distinct samples against each sample alone, in f32: (worst relative L2, and
    a one-line reason when a batch size computes something else)."""
    core = shared_core()
    fixed = reshaped(model, base)
    samples = _samples(fixed, max(sizes), axes)
    single = core.compile_model(fixed, device, _F32)
    names = [input_name(p, i) for i, p in enumerate(model.inputs)]
    outs = output_names(model)
    expected = [_run(single, s, outs) for s in samples]
    worst = 0.0
    for size in sizes:
        shapes = {n: list(d) for n, d in base.items()}
        for name, axis in axes.items():
            shapes[name][axis] = size
        batched = core.compile_model(reshaped(model, shapes), device, _F32)
        got = split_outputs(
            _run(batched, stack_samples(samples[:size], names, axes), outs), out_axes, size
        )
        err, where = _worst(got, expected[:size])
        worst = max(worst, err)
        if not err <= BATCH_TOLERANCE:
            return worst, (
                f"a batch of {size} changes the outputs of '{where}' (relative L2 {err:.3g} per "
                "sample against each sample alone, f32): the model's graph fixes its batch"
            )
    return worst, ""


def _verify_auto_batch(
    model: ov.Model, base: dict[str, list[int]], axes: dict[str, int], device: str
) -> str:
    """Whether ``BATCH:<device>(2)`` batches this model and gives each of two distinct
    concurrent requests its own outputs; the reason when not ("" when it does)."""
    single_model = reshaped(model, base)
    core = shared_core()
    try:
        # a short timeout: both requests start together, and the device's timer thread makes
        # closing the compiled model wait up to one timeout (1 s by default)
        compiled = core.compile_model(
            single_model, f"{BATCH_DEVICE}:{device}(2)", {**_F32, "AUTO_BATCH_TIMEOUT": 100}
        )
    except Exception as exc:
        return f"the BATCH device refuses it ({openvino_message(exc, 120)})"
    if runtime_batch(compiled) != 2:
        return "OpenVINO finds no batch axis in it (the BATCH device would run one at a time)"
    samples = _samples(single_model, 2, axes)
    reference = core.compile_model(single_model, device, _F32)
    outs = output_names(model)
    expected = [_run(reference, s, outs) for s in samples]
    queue = ov.AsyncInferQueue(compiled, 2)
    got: list[dict[str, np.ndarray]] = [{}, {}]

    def collect(request: ov.InferRequest, slot: int) -> None:
        got[slot] = outputs_of(request, outs)

    queue.set_callback(collect)
    for slot, sample in enumerate(samples):
        queue.start_async([np.asarray(a, order="C") for a in sample], slot)
    queue.wait_all()
    err, where = _worst(got, expected)
    if not err <= BATCH_TOLERANCE:
        return (
            f"BATCH:{device}(2) changes the outputs of '{where}' (relative L2 {err:.3g} per "
            "request): OpenVINO batches it on another axis"
        )
    return ""


def runtime_batch(compiled: ov.CompiledModel) -> int | None:
    """Dimension 0 of the first input of the model the device really runs (the BATCH device
    reshapes it to N when it can batch the model, and silently keeps 1 when it cannot)."""
    try:
        dim = compiled.get_runtime_model().inputs[0].get_partial_shape()[0]
        return None if dim.is_dynamic else int(dim.get_length())
    except Exception:
        return None


def find_batch_axes(
    model: ov.Model,
    base: dict[str, list[int]],
    *,
    declared: dict[str, str] | None = None,
    sizes: Sequence[int] = (2,),
    device: str = "CPU",
    auto_batch: bool = True,
) -> BatchAxes:
    """Find the batch axes of ``model`` measured at the static input shapes ``base``, and
    prove them at every size in ``sizes`` (the batch sizes a search may try) in f32.

    ``declared`` is ``--layout`` parsed (input name → layout); declared axes that the model or
    the numbers refuse are a BadInputError, found ones just mean batch 1.
    """
    started = time.perf_counter()
    names = [input_name(p, i) for i, p in enumerate(model.inputs)]
    declared = dict(declared or {})
    if "" in declared:
        if len(names) != 1:
            raise BadInputError(
                "--layout gives a layout without an input name, but the model has "
                f"{len(names)} inputs ({', '.join(names)})",
                'name each input, e.g. --layout "input[N...],state[?N?]"',
            )
        declared = {names[0]: declared.pop("")}
    unknown = [n for n in declared if n not in names]
    if unknown:
        raise BadInputError(
            f"--layout names input '{unknown[0]}', which the model does not have",
            f"the model's inputs are: {', '.join(names)}",
        )
    options: list[list[int | None]] = []
    sources = set()
    for index, port in enumerate(model.inputs):
        name = names[index]
        candidates, origin = _candidates(port, base[name], declared.get(name), name)
        sources.add(origin)
        fixed = name in declared
        options.append(list(candidates) if fixed and candidates else [*candidates, None])
    source = ", ".join(sorted(sources))

    def done(result: BatchAxes) -> BatchAxes:
        return replace(result, source=source, seconds=time.perf_counter() - started)

    if all(o == [None] for o in options):
        return done(
            BatchAxes(reason="no input has an axis of size 1 or a dynamic one to batch on")
        )
    tried: list[str] = []
    for combo in _combinations(options):
        axes = {n: a for n, a in zip(names, combo, strict=True) if a is not None}
        batch = {base[n][a] for n, a in axes.items()}
        if len(batch) != 1:
            continue
        outcome = _output_axes(model, axes, base, 2)
        if isinstance(outcome, str):
            tried.append(outcome)
            continue
        size = batch.pop()
        if size != 1:
            return done(
                BatchAxes(axes, outcome, batch=size, reason=f"--shape fixes the batch at {size}")
            )
        checked = sorted({s for s in sizes if s > 1})
        if not checked:
            return done(BatchAxes(axes, outcome, reason="--max-batch is 1"))
        worst, problem = _verify(model, base, axes, outcome, checked, device)
        if problem:
            if declared:
                raise BadInputError(
                    f"--layout: {problem}", "fix --layout, or drop it to search batch 1 only"
                )
            return done(BatchAxes(axes, outcome, reason=problem, worst_rel_l2=worst))
        auto_reason = (
            _verify_auto_batch(model, base, axes, device) if auto_batch else "not checked"
        )
        return done(
            BatchAxes(
                axes,
                outcome,
                searchable=True,
                checked=tuple(checked),
                worst_rel_l2=worst,
                auto_batch=not auto_reason,
                auto_batch_reason=auto_reason,
            )
        )
    why = tried[0] if tried else "the batch axes found differ in size between inputs"
    if declared:
        raise BadInputError(
            f"--layout: doubling the declared batch axes fails: {why}",
            "fix --layout (N where the batch is), or drop it",
        )
    return done(BatchAxes(reason=f"no batch axis fits: doubling it, {why}"))
