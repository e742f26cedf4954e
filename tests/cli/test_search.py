"""`autotune search` end to end on the real runtime, then everything that reads the study."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import optuna
import pytest
from typer.testing import CliRunner

import autotune
from autotune.cli import app
from autotune.study import measured_trials, study_decision_of
from tests.commands import search_args

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def searched(tmp_path_factory: pytest.TempPathFactory, tiny_model: Path) -> dict:
    base = tmp_path_factory.mktemp("search")
    storage = f"sqlite:///{base}/studies.db"
    out = base / "out"
    result = invoke(
        *search_args(
            str(tiny_model),
            storage,
            str(out),
            "--max-latency",
            "50ms",
            "--max-batch",
            "4",
            "--study",
            "tiny",
            "--seed",
            "0",
            "--confirm-top",
            "1",
            "--confirm-rounds",
            "2",
            trials=7,
            trial_time="0.3s",
        )
    )
    return {"result": result, "storage": storage, "out": out, "base": base, "model": tiny_model}


def test_search_writes_config_and_report(searched: dict) -> None:
    result = searched["result"]
    assert result.exit_code == 0, result.output
    out: Path = searched["out"]
    doc = json.loads((out / "best_config.json").read_text())
    assert doc["device"] == "CPU" and doc["feasible"]
    assert doc["constraint"] == {
        "max_latency_ms": 50.0,
        "percentile": 90.0,
        "max_memory_bytes": None,
        "max_drift": 0.05,
        "max_first_inference_ms": None,
        "min_top1": 0.99,
        "scenario": "offline",
        "min_rate": None,
        "max_drop": None,
        "fps": None,
        "streams": None,
        "at_rate": None,
    }
    assert doc["scenario"] == {
        "name": "offline",
        "percentile": 90.0,
        "figure": "throughput",
        "unit": "FPS",
        "direction": "maximize",
    }
    assert (
        doc["accuracy"]["rel_l2"] <= 0.05 and doc["accuracy"]["top1"] >= 0.99
    )  # the guard ran on every trial
    assert doc["accuracy"]["samples"] == 8 and doc["accuracy"]["source"] == "random"
    assert (
        doc["load"]["cached"]["loaded_from_cache"] and not doc["load"]["cold"]["loaded_from_cache"]
    )
    assert 0 < doc["efficiency"]["share"] < 1.0
    assert doc["profile"]["executed"] > 0
    assert set(doc["baselines"]) == {"LATENCY", "THROUGHPUT"}
    assert doc["metrics"]["constrained_latency_ms"] <= 50.0
    assert doc["confirmation"]["rounds"] == 2
    # 2 rounds cannot reach a look of their own beyond the first (the budget, 4, is too few)
    assert doc["confirmation"]["looks"] == [{"rounds": 2, "confidence": 0.5}]
    assert doc["confirmation"]["tie_margin"] == 0.05
    assert set(doc["confirmation"]["round_ratios"]) == {"LATENCY", "THROUGHPUT"}
    assert all(len(r) == 2 for r in doc["confirmation"]["round_ratios"].values())
    assert doc["environment"]["openvino"] and doc["environment"]["cpu"]
    html = (out / "report.html").read_text()
    assert "Plotly.newPlot" in html and '<script src="http' not in html  # works offline
    table = result.output[result.output.index("limit: p90 latency ≤ 50 ms") :]
    assert all(role in table for role in ("winner", "LATENCY", "THROUGHPUT", "× hint"))


def test_study_holds_every_trial_with_effective_properties(searched: dict) -> None:
    study = optuna.load_study(study_name="tiny", storage=searched["storage"])
    complete = [t for t in study.trials if t.state.name == "COMPLETE"]
    measured = measured_trials(study)
    assert len(measured) == 7  # --trials; a duplicate of a measured config completes too
    assert [t.user_attrs.get("preset") for t in study.trials[:2]] == ["LATENCY", "THROUGHPUT"]
    for t in complete:
        own = ("windows",) if t in measured else ("duplicate_of",)
        assert {"config", "effective", "metrics", "key", *own} <= set(t.user_attrs)
        assert "NUM_STREAMS" in t.user_attrs["effective"]["properties"]
        assert "latency" in t.constraints


def test_resume_continues_the_same_study(searched: dict) -> None:
    result = invoke(
        *search_args(
            str(searched["model"]),
            searched["storage"],
            str(searched["out"]),
            "--max-latency",
            "50ms",
            "--max-batch",
            "4",
            "--study",
            "tiny",
            "--confirm-top",
            "0",
            trials=9,
            trial_time="0.3s",
        )
    )
    assert result.exit_code == 0, result.output
    assert "resuming study tiny: 7/9" in result.output
    study = optuna.load_study(study_name="tiny", storage=searched["storage"])
    assert len(measured_trials(study)) == 9
    assert sum(1 for t in study.trials if t.user_attrs.get("preset")) == 2  # not re-measured


def test_best_config_round_trips_through_compile_model(searched: dict) -> None:
    path = searched["out"] / "best_config.json"
    doc = json.loads(path.read_text())
    compiled, requests = autotune.compile_model(path)
    assert requests == doc["infer_requests"]
    assert str(compiled.get_property("NUM_STREAMS")) == doc["effective"]["NUM_STREAMS"]
    assert compiled.inputs[0].get_shape()[0] == doc["batch"]
    config = autotune.load_config(path)
    assert config.properties == doc["properties"]["CPU"]


def test_benchmark_app_accepts_the_export(searched: dict) -> None:
    """As a user runs it: ``cmd=$(autotune export --format benchmark_app …) && $cmd -t 1`` —
    stdout holds the command and nothing else."""
    target = searched["base"] / "ba.json"
    export = [sys.executable, "-m", "autotune", "export", "--study", "tiny"]
    export += ["--storage", searched["storage"], "--format", "benchmark_app", "-o", str(target)]
    printed = subprocess.run(export, capture_output=True, text=True, timeout=120)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.count("\n") == 1 and printed.stdout.startswith("benchmark_app -m ")
    assert f"wrote {target}" in printed.stderr
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    run = subprocess.run(
        ["bash", "-c", f"cmd=$({shlex.join(export)}) && $cmd -t 1"],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "PATH": path},
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    doc = json.loads((searched["out"] / "best_config.json").read_text())
    reported = dict(
        re.findall(
            r"^\[ INFO \]\s+(NUM_STREAMS|INFERENCE_NUM_THREADS|INFERENCE_PRECISION_HINT): (.+)$",
            run.stdout,
            re.M,
        )
    )
    type_names = {
        "<Type: 'bfloat16'>": "bf16",
        "<Type: 'float32'>": "f32",
        "<Type: 'float16'>": "f16",
    }
    reported["INFERENCE_PRECISION_HINT"] = type_names.get(
        reported.get("INFERENCE_PRECISION_HINT", ""), "?"
    )
    for key in ("NUM_STREAMS", "INFERENCE_NUM_THREADS", "INFERENCE_PRECISION_HINT"):
        assert reported[key] == doc["effective"][key], (key, reported, doc["effective"])
    assert "Throughput:" in run.stdout


def test_export_picks_operating_points(searched: dict) -> None:
    study = optuna.load_study(study_name="tiny", storage=searched["storage"])
    trial = next(
        t.number
        for t in study.trials
        if t.state.name == "COMPLETE" and not t.user_attrs.get("preset")
    )
    result = invoke(
        "export", "--study", "tiny", "--storage", searched["storage"], "--trial", str(trial)
    )
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    # that trial's configuration, whatever the judge ships (named by the config's first
    # trial), marked as asked for
    key = study.trials[trial].user_attrs["key"]
    first = min(t.number for t in study.trials if t.user_attrs.get("key") == key)
    assert doc["study"]["trial"] == first and trial in doc["metrics"]["trials"]
    assert doc["verdict"].startswith(f"trial #{trial} exported on request; the judge's choice:")
    tight = invoke(
        "export", "--study", "tiny", "--storage", searched["storage"], "--max-latency", "1us"
    )
    assert tight.exit_code == 3
    assert (
        "the LATENCY hint in" in tight.output and "closest tuned config (trial #" in tight.output
    )


def test_studies_and_report_commands(searched: dict, tmp_path: Path) -> None:
    listing = invoke("studies", "--storage", searched["storage"])
    assert listing.exit_code == 0 and "tiny" in listing.stdout and "tiny.xml" in listing.stdout
    as_json = json.loads(invoke("studies", "--storage", searched["storage"], "--json").stdout)
    row = next(r for r in as_json["studies"] if r["name"] == "tiny")
    fps = row["throughput_fps"]  # numbers, not "123.4 [120.1, 125.0]"
    assert isinstance(fps["estimate"], float) and fps["low"] <= fps["estimate"] <= fps["high"]
    # the judge's gain over the reference hint, whether paired or from the search figures
    decision = study_decision_of(
        optuna.load_study(study_name="tiny", storage=searched["storage"])
    )[-1]
    assert decision.reference_hint is not None and decision.gain is not None
    assert row["vs_hint"] == decision.reference_hint.presets[0]
    assert row["ratio"] == decision.gain.to_dict() and row["ratio"]["estimate"] > 0
    assert row["model"] == "tiny.xml" and row["trials"] >= 1
    target = tmp_path / "again.html"
    rewritten = invoke(
        "report", "--study", "tiny", "--storage", searched["storage"], "-o", str(target)
    )
    assert rewritten.exit_code == 0 and target.stat().st_size > 100_000


def test_impossible_limit_exits_3_naming_the_closest(tiny_model: Path, tmp_path: Path) -> None:
    storage = f"sqlite:///{tmp_path}/s.db"
    result = invoke(
        *search_args(
            str(tiny_model), storage, str(tmp_path / "o"), "--max-latency", "1us", "--quiet"
        )
    )
    assert result.exit_code == 3
    text = " ".join(result.output.split())
    assert (
        "no configuration meets p90 latency ≤ 0.001 ms, output drift ≤ 0.05, top-1 agreement ≥ 0.99: the LATENCY hint in"
        in text
    )
    assert (
        "but takes" in text
        and "at p90 (limit 0.001 ms)" in text
        and "closest tuned config (trial #" in text
    )
    assert "relax a limit: --max-latency" in text
    assert "Traceback" not in result.output
    study = optuna.load_study(study_name=optuna.get_all_study_names(storage)[0], storage=storage)
    assert len(measured_trials(study)) == 3  # infeasible trials kept
    assert (tmp_path / "o" / "report.html").exists() and not (
        tmp_path / "o" / "best_config.json"
    ).exists()
