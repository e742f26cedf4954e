"""The default name of a study: the model, its shape (or the traffic's mix), the devices and
the limits, so that searching again with the same options resumes the same study."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from autotune.core import DEFAULT_PERCENTILES, OFFLINE, ModelInfo, format_duration

if TYPE_CHECKING:
    from autotune.tuning._settings import SearchSettings


def default_study_name(model: ModelInfo, device: str | None, s: SearchSettings) -> str:
    """``<model stem>[-<shape>]-<device>-<limit>[-p<percentile>]``, e.g. ``320n-1x3x320x320-CPU-20ms``."""
    parts = [Path(model.path).stem]
    if model.shape:
        parts.append("_".join("x".join(str(d) for d in dims) for dims in model.shape.values()))
    elif model.mix is not None:
        low, high = model.mix.bounds_by_input()
        parts.append(
            "_".join(
                "x".join(
                    str(a) if a == b else f"{a}-{b}" for a, b in zip(lo, high[n], strict=True)
                )
                for n, lo in low.items()
            )
            + ("" if model.mix.source == "--shape" else "-samples")
        )
    parts.append(
        (device or "all").replace(":", "").replace(",", "+").replace("(", "").replace(")", "")
    )
    parts.append(format_duration(s.max_latency_s) if s.max_latency_s else "max")
    if s.scenario != OFFLINE:
        parts.append(s.scenario)
    if s.rate is not None:
        parts.append(f"{s.rate:g}rps")
    if s.fps is not None:
        parts.append(f"{s.fps:g}fps" + (f"x{s.streams}" if s.streams else ""))
    if s.percentile != DEFAULT_PERCENTILES[s.scenario]:
        parts.append(f"p{s.percentile:g}")
    if s.objective != "throughput":
        parts.append(s.objective)
    if s.quantize:
        parts.append("int8")
    name = "-".join(parts)
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)
