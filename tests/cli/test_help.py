"""Every command and every option has help text (sqlite-utils does the same check)."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version

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


def run_cli(*args: str, columns: int = 80) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": str(columns)}
    return subprocess.run(
        [sys.executable, "-m", "autotune", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_version_is_the_distribution_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"autotune {version('openvino-autotune')}"


def test_shell_completion_is_offered() -> None:
    text = run_cli("--help").stdout
    assert "--install-completion" in text and "--show-completion" in text


def test_search_help_reads_at_80_columns() -> None:
    text = run_cli("search", "--help").stdout
    too_wide = [line for line in text.splitlines() if len(line) > 80]
    assert not too_wide, too_wide
    panels = ["Limits", "Search space", "Measurement", "Accuracy, memory", "Study, storage"]
    for panel in panels:
        assert f"╭─ {panel}" in text, panel
    assert "throughput|pareto" in text  # the choices are shown


def test_export_help_shows_the_formats() -> None:
    text = " ".join(run_cli("export", "--help").stdout.split())
    assert all(f"{name}: " in text for name in ("json", "benchmark_app", "python", "ovms"))


@pytest.mark.parametrize("name", ["", *COMMANDS])
def test_help_fits_80_columns_without_truncation(name: str) -> None:
    text = run_cli(*([name] if name else []), "--help").stdout
    assert not [line for line in text.splitlines() if len(line) > 80]
    assert "…" not in text, [line for line in text.splitlines() if "…" in line]


def test_a_usage_error_is_one_line() -> None:
    result = run_cli("export", "--format", "yaml")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert (
        "'yaml' is not one of" in result.stderr and "see autotune export --help" in result.stderr
    )
