"""`autotune search --scenario server --objective latency --rate R` on the real runtime: every
config takes Poisson arrivals at R, the lowest p99 there ships, and best_config.json, the
summary and the report say so."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from autotune.cli import app
from tests.commands import search_args

runner = CliRunner()
RATE = 100.0  # req/s: a small share of what the tiny CNN sustains on two cores


def server_latency(
    tmp_path: Path, model: Path, *extra: str, trials: int = 1, trial_time: str = "0.6s"
) -> Any:
    """``autotune search MODEL --scenario server --objective latency …``"""
    args = ["--scenario", "server", "--objective", "latency", *extra]
    out = str(tmp_path / "out")
    return runner.invoke(
        app,
        search_args(
            str(model),
            f"sqlite:///{tmp_path}/s.db",
            out,
            *args,
            trials=trials,
            trial_time=trial_time,
        ),
    )


def test_the_lowest_p99_at_the_rate(tmp_path: Path, tiny_model: Path) -> None:
    result = server_latency(
        tmp_path,
        tiny_model,
        *("--rate", f"{RATE:g}", "--study", "at-rate", "--confirm-top", "1"),
        *("--confirm-rounds", "3", "--json"),
        trials=3,
    )
    assert result.exit_code in (0, 3), result.output
    doc = json.loads((tmp_path / "out" / "best_config.json").read_text())
    scenario = doc["scenario"]
    assert scenario["name"] == "server" and scenario["rate"] == RATE
    assert scenario["figure"] == "p99 latency" and scenario["direction"] == "minimize"
    assert 0 < scenario["latency_ms"] < 1e3
    assert doc["constraint"]["at_rate"] == RATE and doc["constraint"]["min_rate"] is None
    summary = json.loads(result.stdout)
    assert summary["winner"]["stated_rate"] is None  # no sustainable rate is stated
    report = (tmp_path / "out" / "report.html").read_text()
    assert "Latency distribution" in report and "Poisson arrivals at the study" in report
    assert "Latency against offered load" not in report  # no hockey stick at one rate


def test_the_rate_objective_needs_a_rate(tmp_path: Path, tiny_model: Path) -> None:
    result = server_latency(tmp_path, tiny_model, trials=1)
    assert result.exit_code == 2
    assert "add --rate" in result.output and "Traceback" not in result.output
