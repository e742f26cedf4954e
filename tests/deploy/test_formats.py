"""The export formats: each renderer from the registry, and the benchmark_app command."""

from __future__ import annotations

import json
import re
import shlex

from autotune.deploy import FORMATS, benchmark_app_command, deploy_shape, ovms_entry


def render(doc: dict, name: str, target: str) -> tuple[str, str]:
    form = FORMATS[name]
    assert form.render is not None
    return form.render(doc, target)


DOC = {
    "model": "/models/m.xml",
    "device": "CPU",
    "shape": {"images": [4, 3, 64, 64]},
    "batch": 4,
    "infer_requests": 2,
    "properties": {
        "CPU": {"PERFORMANCE_HINT": "THROUGHPUT", "PERFORMANCE_HINT_NUM_REQUESTS": "2"}
    },
    "label": "CPU THROUGHPUT b4",
}


def test_benchmark_app_command_reproduces_the_config() -> None:
    command, reason = benchmark_app_command(DOC, "ba.json", seconds=5)
    assert command is not None and not reason
    text = shlex.join(command)
    assert (
        "-shape 'images[4,3,64,64]' -layout 'images[N...]'" in text
    )  # the batch, counted in frames
    assert "-hint throughput -api async -nireq 2 -load_config ba.json -t 5" in text
    one = {**DOC, "infer_requests": 1, "properties": {"CPU": {"NUM_STREAMS": "1"}}}
    single, _ = benchmark_app_command(one, "ba.json")
    assert single is not None and "-hint none -api sync -nireq 1" in shlex.join(single)
    batch_device = {**DOC, "device": "BATCH:CPU(4)", "properties": {"BATCH:CPU(4)": {}}}
    none, why = benchmark_app_command(batch_device, "ba.json")
    assert none is None and "cannot run the BATCH device" in why


def test_the_shape_is_deployed_at_the_shipped_batch_also_for_static_models() -> None:
    static = {
        "inputs": [{"name": "x", "shape": [1, 256]}, {"name": "s", "shape": [1, 8]}],
        "shape": None,
    }
    assert deploy_shape(static, 4) == {"x": [4, 256], "s": [4, 8]}
    assert deploy_shape({"inputs": [], "shape": None}, 2) is None


def test_every_format_renders_from_the_registry() -> None:
    assert set(FORMATS) == {"json", "benchmark_app", "python", "ovms"}
    content, message = render(DOC, "benchmark_app", "out/ba.json")
    assert json.loads(content) == DOC["properties"] and "-load_config out/ba.json" in message
    assert json.loads(render(DOC, "json", "b.json")[0]) == DOC
    script, how = render(DOC, "python", "deploy.py")
    assert "import openvino as ov" in script
    assert not re.search(r"^\s*(import|from)\s+autotune", script, re.M)  # plain OpenVINO
    assert how == "run it: python deploy.py /models/m.xml"
    assert FORMATS["ovms"].folder and FORMATS["ovms"].render is None


def test_the_ovms_entry_uses_container_paths_and_the_shipped_shape() -> None:
    entry = ovms_entry(DOC)["model_config_list"][0]["config"]
    assert entry == {
        "name": "m",
        "base_path": "/models/m",
        "target_device": "CPU",
        "nireq": 2,
        "plugin_config": DOC["properties"]["CPU"],
        "shape": {"images": "(4,3,64,64)"},
    }
