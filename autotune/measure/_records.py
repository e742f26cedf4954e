"""The plain records a measurement handler sends back to the parent."""

from __future__ import annotations

from typing import Any

from autotune.measure._run import Measurement


def measurement_record(
    *,
    key: str,
    effective: dict[str, Any],
    compile_ms: float,
    loaded_from_cache: bool,
    first_inference_ms: float,
    measurement: Measurement,
    measured_s: float,
    memory: dict[str, Any],
    accuracy: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The plain record one trial's measurement produces (what the worker sends back)."""
    record = {
        "key": key,
        "duplicate": False,
        "effective": effective,
        "compile_ms": compile_ms,
        "loaded_from_cache": loaded_from_cache,
        "first_inference_ms": first_inference_ms,
        "measurement": measurement.to_dict(),
        "measured_s": measured_s,
        "memory": memory,
    }
    if accuracy:
        record["accuracy"] = accuracy
    return record


def duplicate_record(
    *, key: str, effective: dict[str, Any], compile_ms: float, loaded_from_cache: bool
) -> dict[str, Any]:
    """What a trial produces when its effective configuration was measured already: the
    identity read back after compile, and nothing measured."""
    return {
        "key": key,
        "duplicate": True,
        "effective": effective,
        "compile_ms": compile_ms,
        "loaded_from_cache": loaded_from_cache,
    }
