"""The python export: the configuration as a deployment snippet."""

from __future__ import annotations

from typing import Any


def python_snippet(doc: dict[str, Any]) -> str:
    props = doc["properties"][doc["device"]]
    shape = doc.get("shape")
    reshape = f"model.reshape({shape!r})\n" if shape else ""
    converted = {k: (v == "YES") if v in ("YES", "NO") else v for k, v in props.items()}
    return f'''"""Deploy the configuration autotune found ({doc.get("label", "")})."""

# 1) With autotune installed: the properties come from best_config.json.
import autotune

compiled, n_requests = autotune.compile_model("best_config.json")

# 2) Plain OpenVINO, the same configuration spelled out.
import openvino as ov

core = ov.Core()
core.set_property({{"CACHE_DIR": "ov_cache"}})  # cheap restarts: compile once, load from cache
model = core.read_model({doc["model"]!r})
{reshape}compiled = core.compile_model(model, {doc["device"]!r}, {converted!r})
queue = ov.AsyncInferQueue(compiled, {doc["infer_requests"]})
# queue.start_async({{...inputs...}}); queue.wait_all()
'''


def render_python(doc: dict[str, Any], target: str) -> tuple[str, str]:
    return python_snippet(doc), ""
