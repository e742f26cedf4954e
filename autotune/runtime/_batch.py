"""Finding a model's batch axes, and proving them in f32 with distinct samples.

1. Candidates: an axis the user declared (``--layout``), else the model's own layout, else every
   axis that is 1 in the measured shape (and 1 or dynamic in the model); an input without one
   (a state with no batch, a shared table, a scalar) is never reshaped.
2. Shape inference: with every chosen axis doubled, each output must double exactly one axis
   (that axis is the output's batch axis).
3. Numbers: N distinct samples fed as one batch must give each sample, along the output axes,
   its own batch-1 outputs (f32, relative L2 ≤ :data:`~autotune.core.BATCH_TOLERANCE`). A graph
   with fixed-size reshapes accepts batch 2 and fails here. The check runs through
   :meth:`CompiledSession.infer_samples`, the very code the accuracy guard runs.
4. The BATCH device, when asked, is proven the same way with distinct concurrent requests.

An OpenVINO failure inside the check (a batch that does not compile or run) means "batch 1",
with the reason, never a crash of the search.
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace

import numpy as np
import openvino as ov

from autotune.core import (
    BATCH_DEVICE,
    BATCH_TOLERANCE,
    BadInputError,
    BatchAxes,
    RuntimeConfig,
    layout_axis,
)
from autotune.runtime._errors import openvino_message
from autotune.runtime._model import (
    input_name,
    input_roles,
    output_name,
    random_inputs,
    reshaped,
)
from autotune.runtime._session import CompiledSession

# Shape inference is a few ms a try; these bound the work on many-input models.
MAX_COMBINATIONS = 64
MAX_NUMERIC_CHECKS = 3
_F32 = RuntimeConfig(hint="LATENCY", precision="f32", infer_requests=1)


def _candidates(
    port: ov.Output, base: list[int], declared: str | None, name: str
) -> tuple[list[int], str]:
    """An input's possible batch axes, best first, and where they come from. Shape inference
    only proposes axes of size 1: an axis ``--shape`` fixed above 1 (an image height, a
    sequence length) is a batch only where a layout says so."""
    partial = port.get_partial_shape()
    rank = len(base)
    if declared is not None:
        try:
            axis = layout_axis(declared, rank)
        except ValueError as exc:
            raise BadInputError(
                f"--layout {name}[{declared}] does not fit input '{name}' {partial}: {exc}",
                "give one letter or ? per axis (N for the batch), or ... for the rest",
            ) from None
        return ([] if axis is None else [axis]), "--layout"
    layout = ov.layout_helpers.get_layout(port)
    if rank and not layout.empty and ov.layout_helpers.has_batch(layout):
        return [ov.layout_helpers.batch_idx(layout) % rank], "model layout"
    ones = [
        k for k, d in enumerate(partial) if base[k] == 1 and (d.is_dynamic or d.get_length() == 1)
    ]
    return ones, "shape inference"


def _combinations(options: list[list[int | None]]) -> Iterator[tuple[int | None, ...]]:
    """Choices of one option per input, best first (each input's options are ordered, ``None``
    — no batch axis — last), generated lazily: a model with 50 inputs has 2⁵⁰ combinations,
    of which at most :data:`MAX_COMBINATIONS` are tried."""
    start = (0,) * len(options)
    seen = {start}
    heap = [(0, start)]
    given = 0
    while heap and given < MAX_COMBINATIONS:
        _, indices = heapq.heappop(heap)
        combo = tuple(opts[i] for opts, i in zip(options, indices, strict=True))
        if any(a is not None for a in combo):
            given += 1
            yield combo
        for k in range(len(options)):
            if indices[k] + 1 < len(options[k]):
                step = indices[:k] + (indices[k] + 1,) + indices[k + 1 :]
                if step not in seen:
                    seen.add(step)
                    heapq.heappush(heap, (sum(step), step))


def _output_axes(
    model: ov.Model, axes: BatchAxes, base: dict[str, list[int]]
) -> dict[str, int] | str:
    """Each output's batch axis when every input axis in ``axes`` is doubled, or why there is
    none."""
    fixed = reshaped(model, base)
    before = {output_name(o, i): o.get_partial_shape() for i, o in enumerate(fixed.outputs)}
    try:
        grown = reshaped(model, axes.shape_at(base, 2 * axes.batch))
    except Exception as exc:
        return f"the model refuses it ({openvino_message(exc, 120)})"
    found: dict[str, int] = {}
    for index, port in enumerate(grown.outputs):
        name = output_name(port, index)
        old, new = before[name], port.get_partial_shape()
        if old.is_dynamic or new.is_dynamic:
            return f"output '{name}' has a shape known only at run time ({new})"
        changed = [k for k, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
        if len(changed) != 1 or new[changed[0]].get_length() != 2 * old[changed[0]].get_length():
            return f"output '{name}' becomes {new} (from {old}), not one axis doubled"
        found[name] = changed[0]
    return found


def _rel_l2(got: np.ndarray, ref: np.ndarray) -> float:
    r = ref.astype(np.float64)
    err = float(np.linalg.norm(got.astype(np.float64) - r))
    norm = float(np.linalg.norm(r))
    return err / norm if norm > 0 else (0.0 if err == 0 else math.inf)


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


def _samples(model: ov.Model, count: int, axes: BatchAxes) -> list[list[np.ndarray]]:
    """``count`` distinct seeded samples; inputs without a batch axis share sample 0's value."""
    roles = input_roles(model)
    samples = [random_inputs(model, roles, seed=1000 + s, zero_state=False) for s in range(count)]
    for sample in samples[1:]:
        for index, port in enumerate(model.inputs):
            if input_name(port, index) not in axes.inputs:
                sample[index] = samples[0][index]
    return samples


def _outputs(
    model: ov.Model, config: RuntimeConfig, axes: BatchAxes, samples: list[list[np.ndarray]]
) -> list[dict[str, np.ndarray]]:
    session = CompiledSession(model, None, config, batch_axes=axes)
    try:
        return session.infer_samples(samples)
    finally:
        session.close()


def _verify(
    model: ov.Model,
    base: dict[str, list[int]],
    axes: BatchAxes,
    sizes: Sequence[int],
    device: str,
    auto_batch: bool,
) -> tuple[float, str, str]:
    """Batches of distinct samples against each sample alone, in f32, at every size, and (when
    ``auto_batch``) ``BATCH:<device>(2)`` on two distinct concurrent requests: (the worst
    relative L2, why a batch size computes something else or does not run, why the BATCH
    device is not to be searched). Empty reasons mean proven."""
    fixed = reshaped(model, base)
    samples = _samples(fixed, max(sizes), axes)
    single = replace(_F32, device=device)
    try:
        expected = _outputs(fixed, single, axes, samples)
    except Exception as exc:
        return math.inf, f"the model does not run in f32 here ({openvino_message(exc, 120)})", ""
    worst = 0.0
    for size in sizes:
        try:
            got = _outputs(
                reshaped(model, axes.shape_at(base, size)),
                replace(single, batch=size),
                axes,
                samples[:size],
            )
        except Exception as exc:
            return worst, f"a batch of {size} does not run ({openvino_message(exc, 120)})", ""
        err, where = _worst(got, expected[:size])
        worst = max(worst, err)
        if not err <= BATCH_TOLERANCE:
            return (
                worst,
                (
                    f"a batch of {size} changes the outputs of '{where}' (relative L2 {err:.3g} per "
                    "sample against each sample alone, f32): the model's graph fixes its batch"
                ),
                "",
            )
    if not auto_batch:
        return worst, "", "not checked"
    device_config = replace(
        single, device=f"{BATCH_DEVICE}:{device}", auto_batch_size=2, infer_requests=2
    )
    try:
        # a short timeout: the requests start together, and closing the compiled model waits
        # for the device's timer (1 s by default)
        device_config = replace(device_config, auto_batch_timeout_ms=100)
        session = CompiledSession(fixed, None, device_config, batch_axes=axes)
        try:
            if session.effective.properties.get("AUTO_BATCHING") == "inactive":
                return worst, "", "OpenVINO finds no batch axis in it (it would run one at a time)"
            got = session.infer_samples(samples[:2])
        finally:
            session.close()
    except Exception as exc:
        return worst, "", f"the BATCH device fails on it ({openvino_message(exc, 120)})"
    err, where = _worst(got, expected[:2])
    if not err <= BATCH_TOLERANCE:
        return (
            worst,
            "",
            (
                f"BATCH:{device}(2) changes the outputs of '{where}' (relative L2 {err:.3g} per "
                "request): OpenVINO batches it on another axis"
            ),
        )
    return worst, "", ""


def _resolve_declared(declared: dict[str, str], names: list[str]) -> dict[str, str]:
    if "" in declared:
        if len(names) != 1:
            raise BadInputError(
                "--layout gives a layout without an input name, but the model has "
                f"{len(names)} inputs ({', '.join(names)})",
                'name each input, e.g. --layout "input[N...],state[?N?]"',
            )
        declared = {names[0]: declared[""]}
    unknown = [n for n in declared if n not in names]
    if unknown:
        raise BadInputError(
            f"--layout names input '{unknown[0]}', which the model does not have",
            f"the model's inputs are: {', '.join(names)}",
        )
    return declared


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
    prove them at every size in ``sizes`` (the batch sizes a search may try) in f32; prove the
    BATCH device too when ``auto_batch``.

    ``declared`` is ``--layout`` parsed (input name → layout); declared axes that the model or
    the numbers refuse are a BadInputError, found ones just mean batch 1.
    """
    started = time.perf_counter()
    names = [input_name(p, i) for i, p in enumerate(model.inputs)]
    declared = _resolve_declared(dict(declared or {}), names)
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
        return done(BatchAxes(reason="no input has an axis of size 1 to batch on"))
    tried: list[str] = []
    refused: BatchAxes | None = None  # the first combination the numbers refused
    numeric = 0
    for combo in _combinations(options):
        chosen = {n: a for n, a in zip(names, combo, strict=True) if a is not None}
        batch = {base[n][a] for n, a in chosen.items()}
        if len(batch) != 1:
            continue
        axes = BatchAxes(chosen, batch=batch.pop())
        outcome = _output_axes(model, axes, base)
        if isinstance(outcome, str):
            tried.append(outcome)
            continue
        axes = replace(axes, outputs=outcome)
        if axes.batch != 1:
            return done(
                replace(axes, reason=f"the measured shape fixes the batch at {axes.batch}")
            )
        checked = sorted({s for s in sizes if s > 1})
        if not checked:
            return done(replace(axes, reason="--max-batch is 1: no batch size to try"))
        worst, problem, auto_reason = _verify(model, base, axes, checked, device, auto_batch)
        numeric += 1
        if not problem:
            return done(
                replace(
                    axes,
                    searchable=True,
                    checked=tuple(checked),
                    worst_rel_l2=worst,
                    auto_batch=not auto_reason,
                    auto_batch_reason=auto_reason,
                )
            )
        if declared:
            raise BadInputError(
                f"--layout: {problem}", "fix --layout, or drop it to search batch 1 only"
            )
        refused = refused or replace(axes, reason=problem, worst_rel_l2=worst)
        if numeric >= MAX_NUMERIC_CHECKS or "changes the outputs" not in problem:
            break
    if refused is not None:
        return done(refused)
    why = tried[0] if tried else "the batch axes found differ in size between inputs"
    if declared:
        raise BadInputError(
            f"--layout: doubling the declared batch axes fails: {why}",
            "fix --layout (N where the batch is), or drop it",
        )
    return done(BatchAxes(reason=f"no batch axis fits: doubling it, {why}"))
