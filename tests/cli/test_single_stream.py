"""`autotune search --scenario single-stream` end to end on the real runtime: the sync loop,
one request in flight, the p90 latency minimized and judged lower-is-better, recorded in
best_config.json, drawn as a distribution and exported as the sync loop."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import optuna
import pytest
from typer.testing import CliRunner

from autotune.cli import app
from autotune.report import latency_info
from autotune.study import TrialResult, open_storage, study_decision_of
from tests.commands import search_args

runner = CliRunner()


@pytest.fixture(scope="module")
def single(tmp_path_factory: pytest.TempPathFactory, tiny_model: Path) -> dict:
    base = tmp_path_factory.mktemp("single")
    storage = f"sqlite:///{base}/s.db"
    result = runner.invoke(
        app,
        search_args(
            str(tiny_model),
            storage,
            str(base / "out"),
            "--scenario",
            "single-stream",
            "--study",
            "one",
            "--seed",
            "3",
            "--confirm-top",
            "1",
            "--confirm-rounds",
            "6",
            "--max-rounds",
            "6",
            "--json",
            trials=4,
            trial_time="0.3s",
        ),
    )
    assert result.exit_code == 0, result.output
    study = optuna.load_study(study_name="one", storage=open_storage(storage, heartbeat=False))
    return {
        "summary": json.loads(result.stdout),
        "doc": json.loads((base / "out" / "best_config.json").read_text()),
        "study": study,
        "storage": storage,
        "base": base,
    }


def test_the_figure_is_the_p90_latency_lower_is_better(single: dict) -> None:
    doc, summary = single["doc"], single["summary"]
    scenario = doc["scenario"]
    assert scenario["name"] == "single-stream" and scenario["percentile"] == 90.0
    assert (scenario["figure"], scenario["unit"], scenario["direction"]) == (
        "p90 latency",
        "ms",
        "minimize",
    )
    assert summary["figure"] == {"name": "p90 latency", "unit": "p90 ms", "direction": "minimize"}
    figure = doc["metrics"]["figure"]
    assert figure["direction"] == "minimize" and figure["estimate"] > 0
    assert doc["infer_requests"] == 1 and doc["batch"] == 1
    study = single["study"]
    assert study.direction == optuna.study.StudyDirection.MINIMIZE
    # each trial's value is its p90 latency, and it ran the sync loop: one request
    for t in study.trials:
        if t.value is not None and not t.user_attrs.get("duplicate_of"):
            assert t.user_attrs["effective"]["infer_requests"] == 1
    decision = study_decision_of(study)[-1]
    assert decision.verdict == doc["verdict"] == summary["verdict"]
    if decision.significant:  # a tuned config ships only with its latency ratio below 1
        for ratio in decision.ratios.values():
            assert ratio.high < 1
        assert "× lower p90 latency than the" in doc["verdict"]
    else:
        assert doc["preset"] in ("LATENCY", "THROUGHPUT")
        assert "× the throughput" not in doc["verdict"]


def test_the_report_draws_each_configs_latency_distribution(single: dict) -> None:
    study = single["study"]
    limits, trials, _, _, decision = study_decision_of(study)
    info = latency_info(trials, decision, limits.percentile, limits.max_latency_ms)
    assert info is not None and info.percentile == 90
    roles = [c.role for c in info.curves]
    assert roles[0].startswith("winner") and sum("hint" in r for r in roles) >= 2
    for curve in info.curves:
        assert list(curve.latency_ms) == sorted(curve.latency_ms)
        assert curve.fraction[-1] == 1.0
        # the kept distribution's p90 is of the same measurement the figure came from
        assert curve.at(0.9) > 0
    measured = [TrialResult.from_trial(t) for t in study.trials]
    assert all(t.load.get("latency_distribution_ms") for t in measured if t.measured)
    report = (single["base"] / "out" / "report.html").read_text()
    assert "Latency distribution" in report


def test_exports_run_the_sync_loop(single: dict, tiny_model: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["export", "--study", "one", "--storage", single["storage"], "--format", "benchmark_app"],
    )
    assert result.exit_code == 0, result.output
    assert "-api sync -nireq 1" in result.output and "-latency_percentile 90" in result.output
    assert "-hint latency -api sync" in result.output  # the hint to compare it with
    script = tmp_path / "deploy.py"
    result = runner.invoke(
        app,
        ["export", "--study", "one", "--storage", single["storage"], "--format", "python"]
        + ["-o", str(script)],
    )
    assert result.exit_code == 0, result.output
    assert 'SCENARIO = "single-stream"' in script.read_text() or (
        "SCENARIO = 'single-stream'" in script.read_text()
    )
    ran = subprocess.run(
        [sys.executable, str(script), str(tiny_model), "--cache-dir", str(tmp_path / "c")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "200 frames, p90" in ran.stdout
