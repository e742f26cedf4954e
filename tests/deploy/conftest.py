"""The deploy tests share one real study of the tiny CNN."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from autotune.cli import app
from tests.commands import search_args

runner = CliRunner()


@pytest.fixture(scope="package")
def study(tmp_path_factory: pytest.TempPathFactory, tiny_model: Path) -> dict:
    base = tmp_path_factory.mktemp("deploy")
    storage = f"sqlite:///{base}/s.db"
    result = runner.invoke(
        app,
        search_args(
            str(tiny_model),
            storage,
            str(base / "out"),
            "--max-latency",
            "20ms",
            "--study",
            "dep",
            "--seed",
            "1",
            "--confirm-top",
            "1",
            "--confirm-rounds",
            "2",
            "--quiet",
            trials=6,
            trial_time="0.3s",
        ),
    )
    assert result.exit_code == 0, result.output
    return {"storage": storage, "base": base, "config": base / "out" / "best_config.json"}
