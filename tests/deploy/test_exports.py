"""The deployable exports, used as a deployer would: the OVMS repository checked against OVMS's
config schema and compiled as OVMS loads it, the python script run without autotune."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import numpy as np
import openvino as ov
import pytest
from typer.testing import CliRunner

from autotune.cli import app

runner = CliRunner()
OVMS_SCHEMA = json.loads(Path(__file__).with_name("ovms_config_schema.json").read_text())


def export(study: dict, *args: str) -> str:
    result = runner.invoke(app, ["export", "--study", "dep", "--storage", study["storage"], *args])
    assert result.exit_code == 0, result.output
    return str(result.output)


def test_the_schema_check_can_fail() -> None:
    with pytest.raises(jsonschema.ValidationError, match="'base_path' is a required property"):
        jsonschema.validate({"model_config_list": [{"config": {"name": "m"}}]}, OVMS_SCHEMA)
    with pytest.raises(jsonschema.ValidationError, match="Additional properties"):
        config = {"name": "m", "base_path": "/m", "batch": 4}
        jsonschema.validate({"model_config_list": [{"config": config}]}, OVMS_SCHEMA)


def compile_as_ovms(folder: Path, entry: dict) -> ov.CompiledModel:
    """What OVMS does with the entry: the newest version folder under base_path, reshaped to
    ``shape``, compiled on ``target_device`` with ``plugin_config``."""
    base = folder / Path(entry["base_path"]).relative_to("/models")
    version = max(int(p.name) for p in base.iterdir() if p.name.isdigit())
    core = ov.Core()
    model = core.read_model(base / str(version) / "model.xml")
    if "shape" in entry:
        model.reshape(  # OVMS's "(1,3,-1)" / "(1,4:48)": -1 dynamic, lo:hi bounded
            {
                name: ov.PartialShape("[" + dims.strip("()").replace(":", "..") + "]")
                for name, dims in entry["shape"].items()
            }
        )
    return core.compile_model(model, entry["target_device"], entry["plugin_config"])


def test_ovms_export_is_a_model_repository(study: dict, tmp_path: Path) -> None:
    folder = tmp_path / "repo"
    output = export(study, "--format", "ovms", "--out-dir", str(folder))
    config = json.loads((folder / "config.json").read_text())
    jsonschema.validate(config, OVMS_SCHEMA)
    entry = config["model_config_list"][0]["config"]
    doc = json.loads(study["config"].read_text())
    assert entry["name"] == "tiny" and entry["base_path"] == "/models/tiny"
    assert entry["target_device"] == doc["device"] and entry["nireq"] == doc["infer_requests"]
    assert entry["plugin_config"] == doc["properties"][doc["device"]]
    assert f"-v {folder.resolve()}:/models:ro" in output
    assert "openvino/model_server" in output and "--config_path /models/config.json" in output

    compiled = compile_as_ovms(folder, entry)
    assert [list(p.get_shape()) for p in compiled.inputs] == list(doc["shape"].values())
    frames = np.random.default_rng(0).random(doc["shape"]["images"], dtype=np.float32)
    served = compiled.create_infer_request().infer({"images": frames})[0]
    original = ov.Core().compile_model(doc["model"], doc["device"], entry["plugin_config"])
    np.testing.assert_allclose(served, original.create_infer_request().infer([frames])[0])


def test_ovms_export_refuses_a_file_target(study: dict) -> None:
    result = runner.invoke(
        app,
        ["export", "--study", "dep", "--storage", study["storage"], "--format", "ovms", "-o", "x"],
    )
    assert result.exit_code == 2
    assert "--format ovms writes a folder" in result.output and "--out-dir" in result.output


def test_an_onnx_model_is_converted_into_the_repository(model_dir: Path, tmp_path: Path) -> None:
    from autotune import runtime
    from tests.models import onnx_model

    source = onnx_model(model_dir / "small.onnx")
    target = runtime.save_ir(source, tmp_path / "small" / "1" / "model.xml")
    assert target.with_suffix(".bin").stat().st_size > 0
    core = ov.Core()
    frames = np.random.default_rng(1).random((2, 3, 32, 32), dtype=np.float32)
    converted = core.compile_model(target, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    direct = core.compile_model(source, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    np.testing.assert_allclose(
        converted.create_infer_request().infer([frames])[0],
        direct.create_infer_request().infer([frames])[0],
        rtol=1e-6,
    )


BLOCK_AUTOTUNE = """
import runpy, sys

class NoAutotune:
    def find_spec(self, name, path=None, target=None):
        if name == "autotune" or name.startswith("autotune."):
            raise ModuleNotFoundError(f"No module named {name!r} (not installed here)")
        return None

sys.meta_path.insert(0, NoAutotune())
sys.argv = sys.argv[1:]
if sys.argv[0] == "-c":
    exec(sys.argv[1])
else:
    runpy.run_path(sys.argv[0], run_name="__main__")
"""


def without_autotune(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BLOCK_AUTOTUNE, *args], capture_output=True, text=True, timeout=120
    )


def test_python_export_runs_without_autotune(study: dict, tmp_path: Path) -> None:
    script = tmp_path / "deploy.py"
    output = export(study, "--format", "python", "-o", str(script))
    text = script.read_text()
    assert text.count("core.compile_model(") == 1  # one compile
    # the model somewhere else than where it was tuned: the path is an argument
    doc = json.loads(study["config"].read_text())
    moved = tmp_path / "elsewhere" / "model.xml"
    moved.parent.mkdir()
    shutil.copyfile(doc["model"], moved)
    shutil.copyfile(Path(doc["model"]).with_suffix(".bin"), moved.with_suffix(".bin"))
    assert f"wrote {script}\npython {script} {doc['model']}\n" == output  # the run command
    # run where autotune cannot be imported (a meta-path finder refuses it, editable installs
    # included), as on a machine that only has openvino and numpy
    assert without_autotune("-c", "import autotune").returncode != 0
    cache = tmp_path / "cache"
    run = without_autotune(str(script), str(moved), "--cache-dir", str(cache))
    assert run.returncode == 0, run.stderr[-2000:]
    n = doc["infer_requests"]
    assert f"{n} request{'' if n == 1 else 's'} ran" in run.stdout
    assert f"shape {doc['shape']}" in run.stdout  # reshaped to the shipped batch
    assert "note:" not in run.stdout  # the same effective properties as where it was measured
    assert any(cache.iterdir())  # CACHE_DIR applied: the compiled blob is cached

    # on a machine that resolves another configuration, the script says so
    streams = doc["effective"]["NUM_STREAMS"]
    text = text.replace(f"'NUM_STREAMS': '{streams}'", "'NUM_STREAMS': '64'")
    script.write_text(text)
    elsewhere = without_autotune(str(script), str(moved), "--cache-dir", str(cache))
    assert elsewhere.returncode == 0, elsewhere.stderr[-2000:]
    assert (
        f"note: NUM_STREAMS is {streams} here, 64 where autotune measured it" in elsewhere.stdout
    )
