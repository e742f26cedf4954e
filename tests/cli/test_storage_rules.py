"""Where studies are kept: reading commands never write, AUTOTUNE_STORAGE / AUTOTUNE_HOME set
the defaults, and best_config.json records absolute paths."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from autotune.cli import app
from tests.commands import search_args

runner = CliRunner()
READING_COMMANDS = [["studies"], ["studies", "--json"], ["report"], ["export"], ["dashboard"]]


def other_database(path: Path) -> Path:
    with sqlite3.connect(path) as db:
        db.execute("create table notes (text)")
        db.execute("insert into notes values ('not an autotune study')")
    return path


@pytest.mark.parametrize("kind", ["another sqlite database", "an empty file"])
def test_reading_commands_change_nothing(kind: str, tmp_path: Path) -> None:
    target = tmp_path / "other.db"
    if kind == "an empty file":
        target.write_bytes(b"")
    else:
        other_database(target)
    before = target.read_bytes()
    for command in READING_COMMANDS:
        result = runner.invoke(app, [*command, "--storage", f"sqlite:///{target}"])
        assert result.exit_code == 2, (command, result.output)
        line = " ".join(result.output.split())
        assert "holds no autotune studies" in line and "nothing was changed" in line, command
        assert target.read_bytes() == before, command  # byte for byte
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]  # no journal, no -wal


def test_environment_sets_the_default_storage_and_home(
    tiny_model: Path, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, shared = workdir / "home", workdir / "shared" / "team.db"
    shared.parent.mkdir()
    monkeypatch.setenv("AUTOTUNE_HOME", str(home))
    monkeypatch.setenv("AUTOTUNE_STORAGE", f"sqlite:///{shared}")
    args = search_args(tiny_model, "x", "x")
    args = args[: args.index("--storage")]  # neither --storage nor --out-dir
    result = runner.invoke(
        app, [*args, "--max-latency", "20ms", "--study", "env", "--confirm-top", "0", "--quiet"]
    )
    assert result.exit_code == 0, result.output
    assert shared.is_file() and not (home / "autotune.db").exists()
    assert not (workdir / "studies").exists()  # nothing relative to the current folder
    doc = json.loads((home / "env" / "best_config.json").read_text())
    assert doc["study"]["storage"] == f"sqlite:///{shared}"
    listed = runner.invoke(app, ["studies", "--json"])
    assert [r["name"] for r in json.loads(listed.stdout)["studies"]] == ["env"]
    monkeypatch.delenv("AUTOTUNE_STORAGE")
    assert "does not exist" in runner.invoke(app, ["studies"]).output  # back to $HOME's db


def test_best_config_records_absolute_paths(tiny_model: Path, workdir: Path) -> None:
    (workdir / "models").mkdir()
    shutil.copyfile(tiny_model, workdir / "models" / "m.xml")
    shutil.copyfile(tiny_model.with_suffix(".bin"), workdir / "models" / "m.bin")
    args = search_args(
        "models/m.xml", "sqlite:///rel.db", "out", "--max-latency", "20ms", "--confirm-top", "0"
    )
    result = runner.invoke(app, [*args, "--quiet"])
    assert result.exit_code == 0, result.output
    doc = json.loads((workdir / "out" / "best_config.json").read_text())
    assert doc["model"] == str(workdir / "models" / "m.xml")
    assert doc["study"]["storage"] == f"sqlite:///{workdir / 'rel.db'}"
