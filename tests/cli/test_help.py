"""Every command and every option has help text (sqlite-utils does the same check)."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer.core
import typer.main
from typer.testing import CliRunner

from autotune.cli import app

COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def test_expected_commands_exist() -> None:
    assert {"search", "report", "export", "studies", "dashboard", "demo"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_and_option_has_help(name: str) -> None:
    command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    assert command.help and len(command.help) > 20
    for param in command.params:
        if isinstance(param, typer.core.TyperOption):
            assert param.help, f"{name} {param.opts} has no help"
    result = CliRunner().invoke(app, [name, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_installed_cli_starts() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "autotune", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert "search" in result.stdout


def test_import_is_light() -> None:
    code = "import sys, autotune; print('openvino' in sys.modules, 'optuna' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split() == ["False", "False"]
