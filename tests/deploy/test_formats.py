"""The export formats: each renderer from the registry, and the benchmark_app command."""

from __future__ import annotations

import json
import re
import shlex

import pytest

from autotune.core import StudyError
from autotune.deploy import FORMATS, Rendered, benchmark_app_command, deploy_shape, ovms_entry


def render(doc: dict, name: str, target: str) -> Rendered:
    form = FORMATS[name]
    assert form.render is not None
    return form.render(doc, target)


DOC = {
    "model": "/models/m.xml",
    "device": "CPU",
    "shape": {"images": [4, 3, 64, 64]},
    "batch": 4,
    "batch_axes": {
        "inputs": {"images": 0},
        "outputs": {"scores": 0},
        "layouts": {"images": "N???"},
    },
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
        "-shape 'images[4,3,64,64]' -layout 'images[N???]'" in text
    )  # the batch, counted in frames
    assert "-hint throughput -api async -nireq 2 -load_config ba.json -t 5" in text
    one = {**DOC, "infer_requests": 1, "properties": {"CPU": {"NUM_STREAMS": "1"}}}
    single, _ = benchmark_app_command(one, "ba.json")
    assert single is not None and "-hint none -api sync -nireq 1" in shlex.join(single)
    # a state batched on axis 1 and a shared table: each input's own layout, and only the
    # reshaped inputs in -shape
    vad = {
        **DOC,
        "shape": {"input": [4, 576], "state": [2, 4, 128]},
        "batch_axes": {"layouts": {"input": "N?", "state": "?N?", "table": "..."}},
    }
    command, _ = benchmark_app_command(vad, "ba.json")
    assert command is not None
    text = shlex.join(command)
    assert "-shape 'input[4,576],state[2,4,128]'" in text
    assert "-layout 'input[N?],state[?N?],table[...]'" in text
    batch_device = {**DOC, "device": "BATCH:CPU(4)", "properties": {"BATCH:CPU(4)": {}}}
    none, why = benchmark_app_command(batch_device, "ba.json")
    assert none is None and "cannot run the BATCH device" in why


def test_only_the_batch_axes_change_and_only_at_another_batch() -> None:
    """A static model keeps its own shape at batch 1; at batch 4 each batched input changes on
    its own axis (the state on axis 1) and a shared table not at all."""
    static = {
        "inputs": [
            {"name": "x", "shape": [1, 256]},
            {"name": "state", "shape": [2, 1, 8]},
            {"name": "table", "shape": [8, 4]},
        ],
        "shape": None,
        "batch_axes": {"inputs": {"x": 0, "state": 1}, "outputs": {"y": 0}, "batch": 1},
    }
    assert deploy_shape(static, 1) is None
    assert deploy_shape(static, 4) == {"x": [4, 256], "state": [2, 4, 8]}
    dynamic = {**static, "shape": {"x": [1, 256]}}
    assert deploy_shape(dynamic, 1) == {"x": [1, 256]}  # what --shape set, as it set it
    assert deploy_shape({"inputs": [], "shape": None, "batch_axes": {}}, 1) is None
    # a study from before batch axes were proven: batch 1 deploys, a batch is refused
    old = {"inputs": static["inputs"], "shape": None, "batch": 1}
    assert deploy_shape(old, 1) is None
    with pytest.raises(StudyError, match="dimension 0 of every input"):
        deploy_shape(old, 4)


def test_every_format_renders_from_the_registry() -> None:
    assert set(FORMATS) == {"json", "benchmark_app", "python", "ovms"}
    content, command, notes = render(DOC, "benchmark_app", "out/ba.json")
    assert json.loads(content) == DOC["properties"] and "-load_config out/ba.json" in command
    assert command.startswith("benchmark_app -m /models/m.xml") and notes == ()
    assert json.loads(render(DOC, "json", "b.json").content) == DOC
    script, how, _ = render(DOC, "python", "deploy.py")
    assert "import openvino as ov" in script
    assert not re.search(r"^\s*(import|from)\s+autotune", script, re.M)  # plain OpenVINO
    assert how == "python deploy.py /models/m.xml"
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
