"""A dynamic model tuned for the traffic's mix of shapes, end to end: searched over the mix
(every policy, buckets only with --pad), and deployed so that it still takes every shape of the
mix — compile_model, the python export, OVMS and the benchmark_app command, each fed the
smallest, the largest and a middle shape and compared with the original model."""

from __future__ import annotations

import json
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
from autotune.study import open_storage, open_study
from autotune.tuning import SearchSettings, plan_search, run_search, study_metadata
from tests.deploy.test_exports import compile_as_ovms
from tests.models import token_tagger_model

runner = CliRunner()
MIX = "ids[1,4..48]"
LENGTHS = (4, 23, 48)  # the smallest, a middle and the largest of the mix


@pytest.fixture(scope="module")
def searched(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("dynamic")
    model = token_tagger_model(base / "tagger.xml")
    settings = SearchSettings(
        model_path=str(model),
        shape=MIX,
        pad="ids=0",
        device="CPU",
        trials=6,
        trial_time_s=0.2,
        storage=f"sqlite:///{base}/studies.db",
        out_dir=str(base / "out"),
        study_name="tagger",
        seed=0,
        confirm_top=0,
        analyse=False,
        min_top1=None,
    )
    plan = plan_search(settings)
    study = open_study(open_storage(settings.storage), plan.study_name, study_metadata(plan))
    for policy in ("bounded", "buckets3"):  # every policy runs at least once
        preset = plan.space.presets()[1]
        params = {**plan.space.preset_params(preset), "shape_policy": policy}
        study.enqueue_trial(params, skip_if_exists=True)
    outcome = run_search(settings, plan=plan)
    return {"settings": settings, "outcome": outcome, "model": model, "plan": plan}


def reference(model: Path, ids: np.ndarray) -> np.ndarray:
    core = ov.Core()
    m = core.read_model(model)
    m.reshape({"ids": list(ids.shape)})
    compiled = core.compile_model(m, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    return np.array(compiled.create_infer_request().infer({"ids": ids})[0])


def requests() -> list[np.ndarray]:
    rng = np.random.default_rng(3)
    return [rng.integers(0, 100, (1, n)).astype(np.int64) for n in LENGTHS]


def check(infer: Any, model: Path) -> None:
    """Every length of the mix runs and gives the original model's outputs (bf16 at worst)."""
    for ids in requests():
        got = np.asarray(infer({"ids": ids}))
        want = reference(model, ids)
        assert got.shape == want.shape, (got.shape, want.shape)
        np.testing.assert_allclose(got, want, atol=0.02)


def run_compiled(compiled: Any) -> Any:
    if isinstance(compiled, autotune.runtime.BucketedModel):
        return lambda inputs: compiled.infer(inputs)["tags"]
    return lambda inputs: compiled.create_infer_request().infer(inputs)[0]


def test_the_search_measures_the_mix_with_every_policy(searched: dict[str, Any]) -> None:
    plan, outcome = searched["plan"], searched["outcome"]
    assert plan.space.policies == ("dynamic", "bounded", "buckets2", "buckets3", "buckets4")
    assert plan.model.mix is not None and plan.model.mix.varies
    study = optuna.load_study(study_name=outcome.study_name, storage=searched["settings"].storage)
    done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    policies = {t.params.get("shape_policy") for t in done}
    assert {"dynamic", "bounded", "buckets3"} <= policies
    for t in done:
        if "accuracy" in t.user_attrs:  # per sample, at each sample's own length
            assert not t.user_attrs["accuracy"].get("unknown")
        by_shape = t.user_attrs["metrics"].get("by_shape")
        if by_shape:
            assert len(by_shape) > 5 and all(k.startswith("ids[") for k in by_shape)
    meta = study.user_attrs["autotune"]
    assert meta["model"]["mix"]["patterns"][0]["shapes"]["ids"][1] == {"range": [4, 48]}


@pytest.mark.parametrize("policy", ["dynamic", "bounded", "buckets3"])
def test_every_deploy_takes_every_shape_of_the_mix(
    searched: dict[str, Any], policy: str, tmp_path: Path
) -> None:
    settings, outcome, model = searched["settings"], searched["outcome"], searched["model"]
    study = optuna.load_study(study_name=outcome.study_name, storage=settings.storage)
    trial = next(
        t.number
        for t in study.trials
        if t.state == optuna.trial.TrialState.COMPLETE
        and t.params.get("shape_policy") == policy
        and "duplicate_of" not in t.user_attrs
    )

    def export(*args: str) -> str:
        result = runner.invoke(
            app,
            ["export", "--study", "tagger", "--storage", settings.storage, "--trial", str(trial)]
            + list(args),
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
        return str(result.output)

    path = tmp_path / "best_config.json"
    export("-o", str(path))
    doc = json.loads(path.read_text())
    assert doc["shapes"]["policy"] == policy and doc["shape"] == {"ids": [1, -1]}
    assert doc["shapes"]["bounds"] == {"ids": [[1, 1], [4, 48]]}
    assert ("buckets" in doc["shapes"]) == (policy == "buckets3")
    compiled, _ = autotune.compile_model(path)
    check(run_compiled(compiled), model)
    script = tmp_path / "deploy.py"
    export("--format", "python", "-o", str(script))
    run = subprocess.run(
        [sys.executable, str(script), str(model), "--cache-dir", str(tmp_path / "cache")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    namespace: dict[str, Any] = {}
    exec(compile(script.read_text(), str(script), "exec"), namespace)
    deployed = namespace["compile_model"](str(model), str(tmp_path / "cache"))
    if policy == "buckets3":
        check(lambda inputs: deployed.infer(inputs)["tags"], model)
    else:
        check(lambda inputs: deployed.create_infer_request().infer(inputs)[0], model)
    repo = tmp_path / "ovms"
    export("--format", "ovms", "--out-dir", str(repo))
    entry = json.loads((repo / "config.json").read_text())["model_config_list"][0]["config"]
    assert entry["shape"] == {"ids": "(1,-1)" if policy == "dynamic" else "(1,4:48)"}
    check(run_compiled(compile_as_ovms(repo, entry)), model)
    printed = export("--format", "benchmark_app", "-o", str(tmp_path / "ba.json"))
    if policy == "buckets3":
        assert "cannot dispatch" in printed
        return
    command = next(line for line in printed.splitlines() if line.startswith("benchmark_app "))
    assert "-data_shape ids[1," in command
    args = command.split()
    args[args.index("-t") + 1] = "1"
    bench = subprocess.run(
        [str(Path(sys.executable).with_name("benchmark_app")), *args[1:]],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert bench.returncode == 0, bench.stdout[-2000:] + bench.stderr[-2000:]


def test_the_report_shows_latency_per_shape_and_renders(
    searched: dict[str, Any], tmp_path: Path
) -> None:
    import re

    from autotune.report._shapes import shape_latency_info
    from autotune.study import study_decision_of
    from tests.deploy.test_deploy_commands import chromium

    settings, outcome = searched["settings"], searched["outcome"]
    study = optuna.load_study(study_name=outcome.study_name, storage=settings.storage)
    _, trials, configs, _, decision = study_decision_of(study)
    info = shape_latency_info(trials, configs, decision)
    assert info is not None
    roles = {r.role for r in info.rows}
    assert any(r.startswith("winner") for r in roles) and any("hint" in r for r in roles)
    lengths = [int(re.findall(r"\d+", s)[0]) for s in info.shapes]
    assert lengths == sorted(lengths) and min(lengths) >= 4 and max(lengths) <= 48
    assert all(r.requests > 0 and r.p90_ms >= r.p50_ms > 0 for r in info.rows)
    report = tmp_path / "report.html"
    result = runner.invoke(
        app, ["report", "--study", "tagger", "--storage", settings.storage, "-o", str(report)]
    )
    assert result.exit_code == 0, result.output
    dom = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-sync",
            "--disable-background-networking",
            "--disable-component-update",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=20000",
            "--dump-dom",
            report.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    ).stdout
    assert "Latency per request shape" in dom
    errors = re.search(r'<pre id="autotune-js-errors" hidden="">(.*?)</pre>', dom, re.S)
    assert errors is not None and errors.group(1).strip() == ""
