"""Model variants: the INT8 IR built from the original, and which file (and compile cache) a
config's variant compiles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from autotune.core import BatchAxes, InputInfo, RuntimeConfig, ShapeMix
from autotune.measure._backend import RUNTIME, Backend
from autotune.measure._samples import MAX_CALIBRATION_SAMPLES, load_samples, random_samples


def model_for(
    config: RuntimeConfig,
    model_path: str,
    variants: dict[str, str] | None,
    cache_dir: str | None = None,
) -> tuple[str, str | None]:
    """The model file a config compiles (its variant's, e.g. the INT8 IR) and its compile
    cache folder (one per variant)."""
    if not config.variant:
        return model_path, cache_dir
    if not variants or config.variant not in variants:
        raise ValueError(f"no {config.variant} model was prepared for this study")
    cache = str(Path(cache_dir) / config.variant) if cache_dir else None
    return variants[config.variant], cache


def quantize(
    *,
    model_path: str,
    out_path: str,
    inputs: tuple[InputInfo, ...],
    inputs_dir: str | None,
    random_count: int = 32,
    batch_axes: dict[str, Any] | None = None,
    mix: dict[str, Any] | None = None,
    backend: Backend = RUNTIME,
) -> dict[str, Any]:
    """The INT8 variant: NNCF post-training quantization calibrated on the user's samples (or,
    when asked, on seeded random ones — whose ranges mean little)."""
    from autotune import runtime

    samples = (
        load_samples(
            inputs_dir,
            inputs,
            limit=MAX_CALIBRATION_SAMPLES,
            axes=BatchAxes.from_dict(batch_axes).inputs,
            mix=ShapeMix.from_dict(mix),
        )
        if inputs_dir
        else random_samples(inputs, count=random_count, mix=ShapeMix.from_dict(mix))
    )
    return runtime.quantize_to_ir(model_path, samples, out_path)
