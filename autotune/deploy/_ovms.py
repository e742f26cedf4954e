"""The ovms export: an OpenVINO Model Server configuration for the shipped config."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def ovms_entry(doc: dict[str, Any]) -> dict[str, Any]:
    """An OpenVINO Model Server config.json with this model and its plugin_config."""
    device = doc["device"]
    model_path = Path(doc["model"])
    config: dict[str, Any] = {
        "name": model_path.stem,
        "base_path": str(model_path.parent),
        "target_device": device,
        "nireq": doc["infer_requests"],
        "plugin_config": dict(doc["properties"][device]),
    }
    if doc.get("batch", 1) != 1:
        config["batch_size"] = str(doc["batch"])
    if doc.get("shape"):
        config["shape"] = {k: f"({','.join(str(d) for d in v)})" for k, v in doc["shape"].items()}
    return {"model_config_list": [{"config": config}]}


def render_ovms(doc: dict[str, Any], target: str) -> tuple[str, str]:
    return json.dumps(ovms_entry(doc), indent=2) + "\n", ""
