"""Models as found in the wild, end to end: search → every export → deploy, fed the original
model's own tensors (and, for a batched config, distinct samples along the model's own batch
axes), each output compared with the original model in f32.

- an unbatchable model is never searched at batch > 1, nor on the BATCH device;
- a batchable one gets a batched trial, whose accuracy is judged per sample;
- every export keeps every input the search did not reshape at the model's own shape, and the
  printed benchmark_app command runs as printed.
"""

from __future__ import annotations

import json
import math
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import openvino as ov
import optuna
import pytest
from typer.testing import CliRunner

import autotune
from autotune.cli import app
from autotune.core import RuntimeConfig, parse_shape, stack_samples
from autotune.study import open_storage, open_study
from autotune.tuning import SearchSettings, plan_search, run_search, study_metadata
from tests.deploy.test_exports import compile_as_ovms
from tests.wild import Wild, corpus

runner = CliRunner()
STEMS = ["fixed_head", "vad_state", "ctc", "shared_table", "tokens", "scalar"]


@pytest.fixture(scope="module")
def wild(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Wild]:
    return {w.path.stem: w for w in corpus(tmp_path_factory.mktemp("wild"))}


def original_tensors(w: Wild, count: int, seed: int = 0) -> list[dict[str, np.ndarray]]:
    """Distinct tensors shaped as the original model takes them (its own static shape, or the
    --shape of its dynamic inputs), of its own types; ids in range."""
    model = ov.Core().read_model(w.path)
    parsed = parse_shape(w.shape) if w.shape else {}
    shape = parsed if isinstance(parsed, dict) else {}
    rng = np.random.default_rng(seed)
    samples = []
    for _ in range(count):
        sample = {}
        for port in model.inputs:
            name = port.get_any_name()
            dims = shape.get(name) or [d.get_length() for d in port.get_partial_shape()]
            kind = port.get_element_type().to_dtype()
            if np.issubdtype(kind, np.integer):
                sample[name] = rng.integers(0, 50, dims).astype(kind)
            else:
                sample[name] = rng.random(dims, dtype=np.float32).astype(kind)
        samples.append(sample)
    return samples


def reference(w: Wild, sample: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The original model, as the user has it, in f32."""
    core = ov.Core()
    model = core.read_model(w.path)
    if model.is_dynamic():
        model.reshape({k: list(v.shape) for k, v in sample.items()})
    compiled = core.compile_model(model, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    result = compiled.create_infer_request().infer(sample)
    return {port.get_any_name(): np.array(result[i]) for i, port in enumerate(model.outputs)}


def outputs_of(compiled: ov.CompiledModel, inputs: dict[str, np.ndarray], names: list[str]):
    request = compiled.create_infer_request()
    request.infer(inputs)
    return {n: np.array(request.get_output_tensor(i).data) for i, n in enumerate(names)}


def rel_l2(got: np.ndarray, want: np.ndarray) -> float:
    return float(np.linalg.norm(got - want) / max(np.linalg.norm(want), 1e-12))


def check_deployed(
    compiled: ov.CompiledModel, w: Wild, doc: dict[str, Any], samples: list[dict]
) -> None:
    """Feed the deployment the original tensors (batch 1), or distinct samples stacked along
    the documented batch axes; every output, cut along its documented axis, must be the
    original model's (the config may compute in bf16: within the guard's 5 %)."""
    names = [o.get_any_name() for o in ov.Core().read_model(w.path).outputs]
    batch = int(doc["batch"])
    axes = doc["batch_axes"]
    inputs = [p.get_any_name() for p in compiled.inputs]
    # an input without a batch axis (a table, a scalar) takes one value for the whole batch
    chunk = [
        {n: (v if n in axes["inputs"] else samples[0][n]) for n, v in s.items()}
        for s in samples[:batch]
    ]
    stacked = stack_samples([[s[n] for n in inputs] for s in chunk], inputs, axes["inputs"])
    got = outputs_of(compiled, dict(zip(inputs, stacked, strict=True)), names)
    for k, sample in enumerate(chunk):
        want = reference(w, sample)
        for name in names:
            value = got[name]
            if batch > 1:
                value = np.split(value, batch, axis=axes["outputs"][name])[k]
            assert value.shape == want[name].shape, (name, value.shape, want[name].shape)
            assert rel_l2(value, want[name]) <= 0.05, name


def search(w: Wild, tmp: Path, guard: bool) -> tuple[SearchSettings, Any]:
    settings = SearchSettings(
        model_path=str(w.path),
        shape=w.shape,
        device=None,  # the defaults: the BATCH device only where it was proven
        trials=3,
        trial_time_s=0.2,
        max_batch=4,
        storage=f"sqlite:///{tmp}/studies.db",
        out_dir=str(tmp / "out"),
        study_name=w.path.stem,
        seed=0,
        confirm_top=0,
        analyse=False,
        min_top1=None,  # random scores flip under bf16; precision is not what this test is about
        max_drift=0.05 if guard else None,
    )
    plan = plan_search(settings)
    if w.batchable:
        # a batched trial first: its accuracy must be judged per sample
        study = open_study(open_storage(settings.storage), plan.study_name, study_metadata(plan))
        study.enqueue_trial(
            plan.space.preset_params(RuntimeConfig(hint="THROUGHPUT", batch=4)),
            skip_if_exists=True,
        )
    return settings, run_search(settings, plan=plan)


def export(storage: str, study: str, *args: str) -> str:
    result = runner.invoke(
        app, ["export", "--study", study, "--storage", storage, *args], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return str(result.output)


@pytest.mark.parametrize(
    ("stem", "guard"),
    [*((stem, True) for stem in STEMS), ("fixed_head", False), ("vad_state", False)],
    ids=[*STEMS, "fixed_head-no-guard", "vad_state-no-guard"],
)
def test_search_export_and_deploy(
    wild: dict[str, Wild], stem: str, guard: bool, tmp_path: Path
) -> None:
    """The batch check does not depend on the accuracy guard: with it off, an unbatchable model
    is still never batched, and a batched deploy still computes each sample's outputs."""
    w = wild[stem]
    settings, outcome = search(w, tmp_path, guard)
    assert outcome.batch_axes.searchable == w.batchable, outcome.batch_axes.summary()
    study = optuna.load_study(study_name=outcome.study_name, storage=settings.storage)
    trials = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    batched = [t for t in trials if t.params.get("batch", 1) > 1]
    if not w.batchable:
        assert "batch not searched" in outcome.batch_axes.summary()
        assert not batched and all(t.params["device"] == "CPU" for t in trials)
    else:
        assert batched, "the enqueued batched trial ran"
        for t in batched if guard else []:  # judged per sample, every output compared
            accuracy = t.user_attrs.get("accuracy")
            assert accuracy and not accuracy.get("unknown"), accuracy
            assert set(accuracy["outputs"]) == set(w.outputs)
            assert accuracy["rel_l2"] < 0.05
    samples = original_tensors(w, 4)
    exported = [("shipped", None)] + ([("batched", batched[0].number)] if batched else [])
    for what, trial in exported:
        folder = tmp_path / what
        folder.mkdir()
        pick = ["--trial", str(trial)] if trial is not None else []
        path = folder / "best_config.json"
        export(settings.storage, outcome.study_name, *pick, "-o", str(path))
        doc = json.loads(path.read_text())
        batch = int(doc["batch"])
        assert batch == (4 if what == "batched" else 1)
        own = {
            p.get_any_name(): [d.get_length() for d in p.get_partial_shape()]
            for p in ov.Core().read_model(w.path).inputs
            if p.get_partial_shape().is_static
        }
        for name, dims in (doc["shape"] or {}).items():  # only what must be reshaped
            if name in own and batch == 1:
                pytest.fail(f"{name} is static {own[name]}; the export reshapes it to {dims}")
            if name in own:
                expected = list(own[name])
                expected[doc["batch_axes"]["inputs"][name]] = batch
                assert dims == expected, name
        # compile_model, the library deploy
        compiled, _ = autotune.compile_model(path)
        check_deployed(compiled, w, doc, samples)
        # the python export, run as a script, then its compile_model fed the same tensors
        script = folder / "deploy.py"
        export(
            settings.storage, outcome.study_name, *pick, "--format", "python", "-o", str(script)
        )
        run = subprocess.run(
            [sys.executable, str(script), str(w.path), "--cache-dir", str(folder / "cache")],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
        namespace: dict[str, Any] = {}
        exec(compile(script.read_text(), str(script), "exec"), namespace)
        deployed = namespace["compile_model"](str(w.path), str(folder / "cache"))
        check_deployed(deployed, w, doc, samples)
        # the OVMS repository, compiled as OVMS loads it
        repo = folder / "ovms"
        export(
            settings.storage, outcome.study_name, *pick, "--format", "ovms", "--out-dir", str(repo)
        )
        entry = json.loads((repo / "config.json").read_text())["model_config_list"][0]["config"]
        check_deployed(compile_as_ovms(repo, entry), w, doc, samples)
        # the benchmark_app command, run as printed (1 s instead of 10)
        printed = export(
            settings.storage,
            outcome.study_name,
            *pick,
            "--format",
            "benchmark_app",
            "-o",
            str(folder / "ba.json"),
        )
        line = next(x for x in printed.splitlines() if x.startswith("benchmark_app "))
        command = shlex.split(line)
        assert command[0] == "benchmark_app"
        command[command.index("-t") + 1] = "1"
        bench = subprocess.run(
            [str(Path(sys.executable).with_name("benchmark_app")), *command[1:]],
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert bench.returncode == 0, bench.stdout[-2000:] + bench.stderr[-2000:]
        fps = [line for line in bench.stdout.splitlines() if "Throughput" in line]
        assert fps and math.isfinite(float(fps[-1].split()[-2]))
