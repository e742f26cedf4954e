"""The INT8 variant of the model: quantized once with NNCF (in the isolated worker), kept in
the study folder next to best_config.json, and reused while the model, NNCF and the
calibration samples are the same (a resume, a re-run)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from autotune.core import INT8, ModelInfo, TrialsFailedError, write_atomic
from autotune.measure import (
    MAX_CALIBRATION_SAMPLES,
    Runner,
    TrialFailure,
    default_trial_timeout,
    machine_lock,
)
from autotune.tuning._observer import SearchObserver

QUANTIZED_FILE = "model_int8.xml"
RECORD_FILE = "model_int8.json"
RANDOM_CALIBRATION_SAMPLES = 32


def calibration_digest(inputs_dir: str | None) -> str:
    """What the calibration saw: the --inputs files (names and bytes), or seeded random data."""
    if inputs_dir is None:
        return f"random:{RANDOM_CALIBRATION_SAMPLES}"
    digest = hashlib.sha256()
    for path in sorted(Path(inputs_dir).glob("*.npy")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def quantization_key(model_sha256: str, shape: Any, calibration_dir: str | None, nncf: str) -> str:
    """What makes one INT8 model: the model, its shape, NNCF and the calibration samples. The
    cached IR is reused, and a study resumed, only while it is the same."""
    identity = {
        "model": model_sha256,
        "shape": shape,
        "nncf": nncf,
        "calibration": calibration_digest(calibration_dir),
        "subset": MAX_CALIBRATION_SAMPLES,
    }
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]


def prepare_int8(
    model: ModelInfo,
    out_dir: Path,
    key: str,
    inputs_dir: str | None,
    trial_time_s: float,
    runner: Runner,
    observer: SearchObserver,
) -> dict[str, Any]:
    """The INT8 model's record: its path, how long quantization took, on what, and whether it
    came from the study folder (quantized by an earlier run). ``key`` is its
    :func:`quantization_key`; ``inputs_dir`` the calibration samples (None: seeded random
    data)."""
    from autotune import runtime  # NNCF's version is part of the cache key

    version = runtime.nncf_version()
    target = out_dir / QUANTIZED_FILE
    record_path = out_dir / RECORD_FILE
    try:
        known = json.loads(record_path.read_text())
    except (OSError, ValueError):
        known = {}
    if known.get("key") == key and target.exists() and target.with_suffix(".bin").exists():
        observer.message(
            f"reusing the INT8 model quantized earlier ({known['seconds']:.1f} s with NNCF "
            f"{version}, {known['samples']} samples): {target}"
        )
        return {**known, "cached": True}
    random = inputs_dir is None
    source = "seeded random data" if random else f"samples from {inputs_dir}"
    observer.message(f"quantizing to INT8 with NNCF {version} on {source}…")
    try:
        with machine_lock(observer.message):
            result = runner.call(
                "quantize",
                {
                    "model_path": model.path,
                    "out_path": str(target),
                    "inputs": model.inputs,
                    "inputs_dir": inputs_dir,
                    "random_count": RANDOM_CALIBRATION_SAMPLES,
                    "batch_axes": model.batch_axes.to_dict(),
                    "mix": model.mix.to_dict() if model.mix is not None else None,
                },
                timeout_s=default_trial_timeout(trial_time_s) + 1800,
            )
    except TrialFailure as exc:
        raise TrialsFailedError(
            f"NNCF could not quantize the model: {exc.reason}",
            "search without --quantize, or quantize it yourself and pass the INT8 IR",
        ) from None
    record = {
        **result,
        "key": key,
        "variant": INT8,
        "calibration": "random" if random else "inputs",
        "inputs_dir": inputs_dir,
    }
    write_atomic(record_path, json.dumps(record, indent=2))
    observer.message(
        f"quantized in {result['seconds']:.1f} s ({result['fake_quantize_ops']} quantized "
        f"operations, {result['samples']} samples, model type {result['model_type']})"
    )
    return {**record, "cached": False}
