"""`autotune search --scenario multi-stream` end to end on the real runtime: periodic sources
into the config's request pool, the most held at the limit, recorded in best_config.json, and
`autotune validate` re-counting them, interleaved with the hints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from autotune.cli import app
from tests.commands import search_args

runner = CliRunner()
FPS = 200.0  # per source: a few sources already ask for a good share of the tiny CNN


@pytest.fixture(scope="module")
def cameras(tmp_path_factory: pytest.TempPathFactory, tiny_model: Path) -> dict:
    base = tmp_path_factory.mktemp("multi")
    result = runner.invoke(
        app,
        search_args(
            str(tiny_model),
            f"sqlite:///{base}/s.db",
            str(base / "out"),
            "--scenario",
            "multi-stream",
            "--fps",
            f"{FPS:g}",
            "--max-latency",
            "20ms",
            "--study",
            "cams",
            "--confirm-top",
            "1",
            "--confirm-rounds",
            "3",
            "--max-rounds",
            "3",
            "--json",
            trials=3,
            trial_time="0.6s",
        ),
    )
    assert result.exit_code in (0, 3), result.output
    return {
        "summary": json.loads(result.stdout),
        "path": base / "out" / "best_config.json",
        "doc": json.loads((base / "out" / "best_config.json").read_text()),
    }


def test_the_most_sources_held_are_recorded(cameras: dict) -> None:
    scenario = cameras["doc"]["scenario"]
    assert scenario["name"] == "multi-stream" and scenario["fps"] == FPS
    assert scenario["figure"] == "sources held" and scenario["direction"] == "maximize"
    assert scenario["sources_held"] >= 1 and scenario["max_latency_ms"] == 20.0


def test_validate_counts_the_sources_again(cameras: dict) -> None:
    result = runner.invoke(
        app, ["validate", str(cameras["path"]), "--rounds", "2", "--window", "0.4s", "--json"]
    )
    assert result.exit_code in (0, 4), result.output
    report = json.loads(result.stdout)
    assert report["figure"] == "sources held" and report["direction"] == "maximize"
    assert report["unit"] == "sources" and report["limit_ms"] == 20.0
    # the count held now: the median of the rounds' whole counts (a half between two), at
    # least one when the config meets its limit
    held = report["throughput_fps"]["estimate"]
    assert 2 * held == int(2 * held) and (held >= 1 or not report["meets_limit"])
    assert report["ok"] == (result.exit_code == 0)
