"""A best_config.json read back: checked, typed, and compiled with its properties."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from autotune.core import BatchAxes, ConfigFileError, DeviceError, RuntimeConfig, ShapeMix


@dataclass(frozen=True)
class DeployConfig:
    """A loaded best_config.json."""

    model: str
    device: str
    shape: dict[str, list[int]] | None
    batch: int
    infer_requests: int
    properties: dict[str, str]
    document: dict[str, Any]

    @property
    def runtime_config(self) -> RuntimeConfig:
        """The config as autotune measured it (``config`` in the file), or, for a file written
        by hand, its device, batch, requests and properties taken verbatim."""
        stored = self.document.get("config")
        if isinstance(stored, dict):
            return replace(RuntimeConfig.from_dict(stored), infer_requests=self.infer_requests)
        return RuntimeConfig(
            device=self.device,
            batch=self.batch,
            infer_requests=self.infer_requests,
            raw_properties=dict(self.properties),
        )

    @property
    def batch_axes(self) -> BatchAxes:
        """Where the model's batch lives, as the study found and proved it. A file without them
        (written by hand, or by an older autotune) is compiled at its shape as it is."""
        stored = self.document.get("batch_axes")
        if isinstance(stored, dict) and "inputs" in stored:
            return BatchAxes.from_dict(stored)
        return BatchAxes(batch=self.batch)

    @property
    def mix(self) -> ShapeMix | None:
        """The traffic's mix of shapes the config was measured on (None: one static shape)."""
        return ShapeMix.from_dict((self.document.get("shapes") or {}).get("mix"))

    @property
    def shape_policy(self) -> str | None:
        return (self.document.get("shapes") or {}).get("policy")

    @property
    def pad(self) -> dict[str, float] | None:
        return (self.document.get("shapes") or {}).get("pad")

    @property
    def base_shape(self) -> dict[str, list[int]] | None:
        """What a worker reshapes before it applies the config's batch along
        :attr:`batch_axes`: ``--shape`` as the study had it; a file without batch axes keeps
        its own shape (already at its batch)."""
        stored = self.document.get("batch_axes")
        if isinstance(stored, dict) and "inputs" in stored:
            shape = self.document.get("model_shape")
            return dict(shape) if shape else None
        return self.shape


def load_config(path: str | Path) -> DeployConfig:
    """Read and check a best_config.json; every problem is one ConfigFileError line."""
    p = Path(path)
    fix = "re-create it with: autotune export --format json -o best_config.json"
    if not p.exists():
        raise ConfigFileError(f"config file '{path}' does not exist", "check the path")
    try:
        doc = json.loads(p.read_text())
    except UnicodeDecodeError:
        raise ConfigFileError(f"config file '{path}' is not text", fix) from None
    except json.JSONDecodeError as exc:
        raise ConfigFileError(
            f"config file '{path}' is not valid JSON (line {exc.lineno}: {exc.msg})", fix
        ) from None
    if not isinstance(doc, dict):
        raise ConfigFileError(f"config file '{path}' is not a JSON object", fix)
    missing = [k for k in ("model", "device", "properties", "infer_requests") if k not in doc]
    if missing:
        raise ConfigFileError(f"config file '{path}' lacks {', '.join(missing)}", fix)
    device = doc["device"]
    props = doc["properties"]
    if not isinstance(props, dict) or not isinstance(props.get(device), dict):
        raise ConfigFileError(
            f"config file '{path}': properties has no object for device {device!r}", fix
        )
    try:
        requests = int(doc["infer_requests"])
        batch = int(doc.get("batch", 1))
    except (TypeError, ValueError):
        raise ConfigFileError(
            f"config file '{path}': infer_requests/batch must be integers", fix
        ) from None
    if requests < 1 or batch < 1:
        raise ConfigFileError(f"config file '{path}': infer_requests and batch must be ≥ 1", fix)
    shape = doc.get("shape")
    if shape is not None and not (
        isinstance(shape, dict)
        and all(isinstance(v, list) and all(isinstance(d, int) for d in v) for v in shape.values())
    ):
        raise ConfigFileError(
            f"config file '{path}': shape must map input names to integer lists (-1: dynamic)", fix
        )
    return DeployConfig(
        model=str(doc["model"]),
        device=str(device),
        shape=shape,
        batch=batch,
        infer_requests=requests,
        properties={str(k): str(v) for k, v in props[device].items()},
        document=doc,
    )


def compile_model(
    path: str | Path, *, model_path: str | None = None, cache_dir: str | None = None
) -> tuple[Any, int]:
    """Compile the model of a best_config.json with its properties.

    Returns ``(compiled, infer_requests)``; pass ``model_path`` when the model moved since the
    study ran. ``compiled`` is an ``openvino.CompiledModel`` — for a config measured over a mix
    of shapes it takes every shape of the mix (its varying axes dynamic, or bounded) — or, for
    a bucket policy, an ``autotune.runtime.BucketedModel``, whose ``infer({name: array})`` pads
    a request up to its bucket and returns the outputs the unpadded request gives.
    """
    from autotune import runtime

    config = load_config(path)
    mix = config.mix
    model = runtime.prepare_model(model_path or config.model, None if mix else config.shape)
    properties = runtime.to_runtime_properties(config.properties)
    if cache_dir:
        properties["CACHE_DIR"] = cache_dir
    try:
        if mix is not None:
            compiled: Any = runtime.compile_for_mix(
                model, mix, config.shape_policy, config.pad, config.device, properties
            )
        else:
            compiled = runtime.shared_core().compile_model(model, config.device, properties)
    except Exception as exc:
        from autotune.runtime import openvino_message

        raise DeviceError(
            f"{config.device} refused the properties in '{path}': {openvino_message(exc)}",
            "re-export the config on this machine (autotune export)",
        ) from None
    return compiled, config.infer_requests
