"""`autotune search --quantize --inputs`: an INT8 variant quantized with NNCF, searched beside
the original, cached, judged on the user's samples, exported and compiled."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import optuna
import pytest
from typer.testing import CliRunner, Result

import autotune
from autotune.cli import app
from autotune.study import VARIANTS_ATTR, TrialResult, open_storage
from tests.commands import search_args
from tests.models import image_samples

runner = CliRunner()


def quantize_args(model: Path, storage: str, out: Path, samples: Path, trials: int) -> list[str]:
    return search_args(
        model,
        storage,
        out,
        "--max-latency",
        "50ms",
        "--quantize",
        "--inputs",
        str(samples),
        "--study",
        "q",
        "--seed",
        "2",
        "--confirm-top",
        "1",
        "--confirm-rounds",
        "2",
        trials=trials,
        trial_time="0.3s",
    )


@pytest.fixture(scope="module")
def quantized(tmp_path_factory: pytest.TempPathFactory, tiny_model: Path) -> dict:
    base = tmp_path_factory.mktemp("quantize")
    samples = image_samples(base / "samples", count=16)
    storage = f"sqlite:///{base}/s.db"
    out = base / "out"
    result = runner.invoke(app, quantize_args(tiny_model, storage, out, samples, trials=8))
    assert result.exit_code == 0, result.output
    study = optuna.load_study(study_name="q", storage=open_storage(storage, heartbeat=False))
    trials = [TrialResult.from_trial(t) for t in study.trials]
    return {
        "output": result.output,
        "storage": storage,
        "out": out,
        "samples": samples,
        "study": study,
        "trials": trials,
        "model": tiny_model,
    }


def test_the_int8_variant_is_searched_beside_the_original(quantized: dict) -> None:
    assert "quantizing to INT8 with NNCF" in quantized["output"]
    complete = [t for t in quantized["trials"] if t.complete]
    assert {t.config.variant for t in complete if t.config} == {None, "int8"}
    presets = {t.preset for t in complete if t.preset}
    assert {"LATENCY", "THROUGHPUT", "LATENCY int8", "THROUGHPUT int8"} <= presets
    int8 = [t for t in complete if t.effective and t.effective.variant == "int8"]
    original = [t for t in complete if t.effective and t.effective.variant is None]
    assert int8 and original and not {t.key for t in int8} & {t.key for t in original}
    for t in int8:
        if t.measured:  # judged on the user's samples against the f32 reference
            assert t.accuracy["source"] == str(quantized["samples"])
            assert t.accuracy["rel_l2"] is not None
    made = quantized["study"].user_attrs[VARIANTS_ATTR]["int8"]
    assert Path(made["path"]) == quantized["out"] / "model_int8.xml"
    assert made["calibration"] == "inputs" and made["samples"] == 16 and not made["cached"]
    assert made["fake_quantize_ops"] > 0 and made["seconds"] > 0


def test_a_rerun_reuses_the_quantized_model(quantized: dict) -> None:
    path = quantized["out"] / "model_int8.xml"
    before = path.stat().st_mtime_ns
    again = runner.invoke(
        app,
        quantize_args(
            quantized["model"],
            quantized["storage"],
            quantized["out"],
            quantized["samples"],
            trials=9,
        ),
    )
    assert again.exit_code == 0, again.output
    assert "reusing the INT8 model quantized earlier" in again.output
    assert path.stat().st_mtime_ns == before


def test_a_study_does_not_mix_int8_models(quantized: dict, tmp_path: Path) -> None:
    """Other calibration samples make another INT8 model: its trials would not be comparable
    with the study's, so resuming is refused and nothing is written."""
    other = image_samples(tmp_path / "other", count=4, size=64)
    before = len(quantized["study"].get_trials(deepcopy=False))
    result = runner.invoke(
        app,
        quantize_args(quantized["model"], quantized["storage"], quantized["out"], other, trials=9),
    )
    assert result.exit_code == 2, result.output
    assert "searched an INT8 model made from other calibration samples" in result.output
    assert "--force" in result.output
    study = optuna.load_study(study_name="q", storage=open_storage(quantized["storage"]))
    assert len(study.get_trials(deepcopy=False)) == before


def export_trial(quantized: dict, trial: int, *args: str) -> Result:
    return runner.invoke(
        app,
        [
            "export",
            "--study",
            "q",
            "--storage",
            quantized["storage"],
            "--trial",
            str(trial),
            *args,
        ],
    )


def test_an_int8_config_exports_and_compiles(quantized: dict, tmp_path: Path) -> None:
    trial = next(
        t.number
        for t in quantized["trials"]
        if t.measured and t.effective and t.effective.variant == "int8"
    )
    target = tmp_path / "int8.json"
    exported = export_trial(quantized, trial, "-o", str(target))
    assert exported.exit_code == 0, exported.output
    doc = json.loads(target.read_text())
    # the INT8 IR travels with the exported file: the folder deploys on its own
    assert doc["model"] == str(tmp_path / "model_int8.xml")
    assert (tmp_path / "model_int8.bin").read_bytes() == (
        quantized["out"] / "model_int8.bin"
    ).read_bytes()
    assert doc["variant"]["name"] == "int8"
    assert doc["variant"]["original_model"] == str(quantized["model"])
    compiled, requests = autotune.compile_model(target)
    frames = np.load(sorted(quantized["samples"].glob("*.npy"))[0])
    scores = compiled.create_infer_request().infer([frames])[0]
    assert scores.shape == (1, 10) and requests >= 1
    command = export_trial(
        quantized, trial, "--format", "benchmark_app", "-o", str(tmp_path / "ba.json")
    )
    assert "model_int8.xml" in command.output


def test_random_calibration_is_marked(tiny_model: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        search_args(
            tiny_model,
            f"sqlite:///{tmp_path}/s.db",
            tmp_path / "o",
            "--quantize",
            "--calibration",
            "random",
            "--confirm-top",
            "0",
            trials=4,
        ),
    )
    assert result.exit_code == 0, result.output
    assert "seeded random data" in result.output
    assert "calibrated on random data: accuracy unknown" in " ".join(result.output.split())


def test_a_metric_of_your_own(tiny_model: Path, workdir: Path) -> None:
    (workdir / "mymetric.py").write_text(
        "import numpy as np\n\n"
        "def confidence(outputs):\n"
        "    return float(np.mean([o['scores'].max() for o in outputs]))\n"
    )
    samples = image_samples(workdir / "samples", count=8)
    result = runner.invoke(
        app,
        search_args(
            tiny_model,
            "sqlite:///s.db",
            "o",
            "--inputs",
            str(samples),
            "--accuracy-fn",
            "mymetric:confidence",
            "--max-drop",
            "0.5",
            "--study",
            "m",
            "--confirm-top",
            "0",
            "--quiet",
            trials=3,
        ),
    )
    assert result.exit_code == 0, result.output
    study = optuna.load_study(study_name="m", storage=open_storage("sqlite:///s.db"))
    metrics = [
        t.user_attrs["accuracy"]["metric"] for t in study.trials if "accuracy" in t.user_attrs
    ]
    assert metrics and all(m["fn"] == "mymetric:confidence" for m in metrics)
    assert all(m["drop"] == pytest.approx(m["reference"] - m["value"]) for m in metrics)
    doc = json.loads((workdir / "o" / "best_config.json").read_text())
    assert doc["constraint"]["max_drop"] == 0.5 and "metric" in doc["accuracy"]


def test_the_report_shows_each_outputs_accuracy_and_the_int8_gain(quantized: dict) -> None:
    from autotune.report import accuracy_info, render_report
    from autotune.study import study_decision_of

    decision = study_decision_of(quantized["study"])[-1]
    rows = accuracy_info(decision)
    int8 = [r for r in rows if "best int8" in r.role]
    assert int8 and all(r.output == "scores" and r.rel_l2 is not None for r in int8)
    assert all(r.top1 is not None for r in int8)  # the softmax output is a score vector
    hints = {r.label for r in rows if "hint" in r.role.split(", ")}
    assert {"LATENCY hint", "LATENCY hint, int8"} <= hints
    page = render_report(quantized["study"], quantized["storage"])
    assert "Accuracy against f32" in page and "INT8 model" in page
