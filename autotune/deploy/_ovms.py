"""The ovms export: a ready OpenVINO Model Server repository for the shipped configuration.

``<folder>/<name>/1/model.xml|.bin`` (the model, copied or converted to IR) and
``<folder>/config.json`` with container paths (``/models/<name>``), the device, the request
count, the shape at the shipped batch and the tuned ``plugin_config``; plus the ``docker run``
line that serves it.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

from autotune.core import write_atomic
from autotune.deploy._rendered import Rendered

CONTAINER_ROOT = "/models"
IMAGE = "openvino/model_server:latest"


def model_name(doc: dict[str, Any]) -> str:
    """A serving name from the model file: letters, digits, '-' and '_'."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", Path(doc["model"]).stem) or "model"


def ovms_entry(doc: dict[str, Any]) -> dict[str, Any]:
    """The model's entry in OVMS's config.json (its model_config_list schema)."""
    device = doc["device"]
    name = model_name(doc)
    config: dict[str, Any] = {
        "name": name,
        "base_path": f"{CONTAINER_ROOT}/{name}",
        "target_device": device,
        "nireq": int(doc["infer_requests"]),
        "plugin_config": dict(doc["properties"][device]),
    }
    if doc.get("shape"):
        # the shape carries the shipped batch (OVMS prefers shape over batch_size); over a mix
        # of shapes the varying axes are -1, or lo:hi where a policy bounds them (OVMS has no
        # buckets: a bucket policy is served bounded, its dispatch is the python export's)
        bounds = (doc.get("shapes") or {}).get("bounds") or {}
        bounded = (doc.get("shapes") or {}).get("policy", "dynamic") != "dynamic"
        config["shape"] = {
            k: "("
            + ",".join(
                f"{bounds[k][i][0]}:{bounds[k][i][1]}" if d == -1 and bounded else str(d)
                for i, d in enumerate(v)
            )
            + ")"
            for k, v in doc["shape"].items()
        }
    return {"model_config_list": [{"config": config}]}


def docker_command(folder: Path) -> list[str]:
    """Serve the repository: gRPC on 9000, REST on 8000."""
    return [
        "docker", "run", "--rm", "-d", "-p", "9000:9000", "-p", "8000:8000",
        "-v", f"{folder.resolve()}:{CONTAINER_ROOT}:ro", IMAGE,
        "--config_path", f"{CONTAINER_ROOT}/config.json", "--port", "9000", "--rest_port", "8000",
    ]  # fmt: skip


def write_repository(doc: dict[str, Any], folder: Path) -> Rendered:
    """Write the repository into ``folder``; the command serves it."""
    from autotune import runtime  # converting a model needs openvino

    name = model_name(doc)
    runtime.save_ir(doc["model"], folder / name / "1" / "model.xml")
    write_atomic(folder / "config.json", json.dumps(ovms_entry(doc), indent=2) + "\n")
    notes = (
        (
            "OVMS has no buckets; it serves the model with its varying axes bounded (the "
            "measured bucket dispatch is in the python export and autotune.compile_model)",
        )
        if (doc.get("shapes") or {}).get("buckets")
        else ()
    )
    return Rendered("", shlex.join(docker_command(folder)), notes)
