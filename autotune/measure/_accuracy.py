"""How a configuration's outputs compare with the f32 reference: the figures the accuracy guard
is judged on (relative L2, top-1 agreement on probability outputs, the worst element)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def is_probability_vector(array: np.ndarray) -> bool:
    """Whether an output holds class scores: along its last axis (≥ 2 entries) every slice is a
    probability distribution (non-negative, summing to 1), as after a softmax."""
    if array.ndim < 2 or array.shape[-1] < 2 or not np.issubdtype(array.dtype, np.floating):
        return False
    values = array.astype(np.float64)
    return bool(np.all(values >= -1e-6) and np.allclose(values.sum(axis=-1), 1.0, atol=1e-3))


def compare_outputs(
    references: list[dict[str, np.ndarray]], outputs: list[dict[str, np.ndarray]], source: str
) -> dict[str, Any]:
    """A config's outputs against the f32 reference, per output, over every sample:

    - ``rel_l2``: ‖y − ref‖₂ / ‖ref‖₂ with the norms taken over all samples together (robust
      to a sample whose output is near zero);
    - ``top1``: the share of positions (samples × leading indices) whose argmax agrees, for
      outputs that are probability vectors in every reference sample; None otherwise; and
      ``agreeing_samples``, how many samples agree at every position (what a confidence
      bound on the agreement is computed from: samples are the independent draws);
    - ``max_abs`` / ``max_rel``: the largest single-element error, absolute and relative to
      the output's largest magnitude (information: on random data it is very conservative).

    Outputs are compared sample by sample, shaped as the reference (a batched config's outputs
    were already cut along the model's batch axes). An output that is missing or shaped
    otherwise is never skipped: it is listed under ``unknown`` with the reason, and the figures
    over the other outputs say nothing about it (an accuracy limit fails on it).
    """
    names = list(references[0]) if references else []
    per_output: dict[str, dict[str, Any]] = {}
    unknown: dict[str, str] = {}
    for name in names:
        diff2 = ref2 = 0.0
        max_abs = scale = 0.0
        matches = positions = agreeing = 0
        scores = all(is_probability_vector(r[name]) for r in references)
        compared = 0
        for index, (ref_set, got_set) in enumerate(zip(references, outputs, strict=True)):
            ref = ref_set[name]
            value = got_set.get(name)
            if value is None or value.shape != ref.shape:
                unknown[name] = (
                    f"the config gives no output '{name}'"
                    if value is None
                    else f"sample {index} of '{name}' is {list(value.shape)}, the f32 model's "
                    f"{list(ref.shape)}"
                )
                break
            compared += 1
            r64, v64 = ref.astype(np.float64), value.astype(np.float64)
            delta = v64 - r64
            diff2 += float(np.sum(delta * delta))
            ref2 += float(np.sum(r64 * r64))
            if ref.size:
                max_abs = max(max_abs, float(np.max(np.abs(delta))))
                scale = max(scale, float(np.max(np.abs(r64))))
            if scores:
                agree = np.argmax(r64, axis=-1) == np.argmax(v64, axis=-1)
                matches += int(np.sum(agree))
                positions += int(agree.size)
                agreeing += bool(np.all(agree))
        if name in unknown or not compared:
            continue
        if ref2 > 0:
            rel_l2 = math.sqrt(diff2 / ref2)
        else:
            rel_l2 = 0.0 if diff2 == 0 else math.inf
        per_output[name] = {
            "rel_l2": rel_l2,
            "max_abs": max_abs,
            "max_rel": max_abs / scale if scale > 0 else (0.0 if max_abs == 0 else math.inf),
            "top1": matches / positions if positions else None,
            "positions": positions,
            # samples whose every top-1 answer agrees: the independent units a bound on the
            # agreement rests on (positions within one sample are not independent)
            "agreeing_samples": agreeing if positions else None,
        }
    top1 = [o["top1"] for o in per_output.values() if o["top1"] is not None]
    whole = [
        o["agreeing_samples"] for o in per_output.values() if o["agreeing_samples"] is not None
    ]
    record: dict[str, Any] = {
        "samples": len(references),
        "source": source,
        "outputs": per_output,
        "rel_l2": max((o["rel_l2"] for o in per_output.values()), default=None),
        "top1": min(top1) if top1 else None,
        "top1_agreeing_samples": min(whole) if whole else None,
        "max_rel_error": max((o["max_rel"] for o in per_output.values()), default=None),
    }
    if unknown or not names:
        record["unknown"] = unknown or {"(all)": "no sample or no output to compare"}
    return record
