"""The layout holds: dependencies point one way down the pipeline, packages are entered through
their ``__init__`` only, and only the runtime package imports openvino."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "autotune"
# Lower levels never import higher ones; packages on one level do not import each other.
LEVELS = {
    "core": 0,
    "runtime": 1,
    "measure": 2,
    "judge": 3,
    "study": 4,
    "tuning": 5,
    "deploy": 5,
    "report": 5,
    "testing": 5,
    "_api": 6,
    "cli": 7,
    "__init__": 8,
    "__main__": 8,
}


def package_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return parts[0]


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, dotted module) of every import in the file, function-level ones included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            # "from autotune import runtime" names a package too
            if node.module == "autotune":
                found += [(node.lineno, f"autotune.{alias.name}") for alias in node.names]
    return found


MODULES = sorted(ROOT.rglob("*.py"))


def test_every_package_has_a_level() -> None:
    assert {package_of(p) for p in MODULES} == set(LEVELS)


def violations(own: str, found: list[tuple[int, str]]) -> list[str]:
    wrong = []
    for line, module in found:
        parts = module.split(".")
        if parts[0] != "autotune" or len(parts) < 2 or parts[1] == own:
            continue
        target = parts[1]
        if LEVELS[target] >= LEVELS[own]:
            wrong.append(
                f"line {line}: {own} (level {LEVELS[own]}) imports {module} (level {LEVELS[target]})"
            )
        if len(parts) > 2 and parts[2].startswith("_"):
            wrong.append(
                f"line {line}: {module} is private to {target}; import it from autotune.{target}"
            )
    return wrong


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down_the_pipeline(path: Path) -> None:
    wrong = violations(package_of(path), imports(path))
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_only_the_runtime_imports_openvino(path: Path) -> None:
    if package_of(path) == "runtime":
        return
    assert not [m for _, m in imports(path) if m.split(".")[0] == "openvino"]


def test_the_direction_test_catches_wrong_imports(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from autotune.tuning import run_search\n"  # upward
        "def f():\n    from autotune.report import summary_info\n"  # sideways, inside a function
        "from autotune.measure._windows import Window\n"  # around measure's __init__
        "from autotune.core import RuntimeConfig\n"  # fine
    )
    wrong = violations("judge", imports(bad))
    assert sorted(w.split(":")[0] for w in wrong) == ["line 1", "line 3", "line 4"]
    assert violations("deploy", [(1, "autotune.report")])  # siblings on one level


def test_modules_stay_small() -> None:
    long = [
        f"{p.relative_to(ROOT)}: {n}"
        for p in MODULES
        if (n := len(p.read_text().splitlines())) > 400
    ]
    assert not long, long


@pytest.mark.parametrize(
    "package", ["core", "measure", "judge", "study", "tuning", "deploy", "report", "testing"]
)
def test_every_public_name_resolves(package: str) -> None:
    """What a package's __init__ lists (eagerly or lazily) is there, from the module it names."""
    import importlib

    module = importlib.import_module(f"autotune.{package}")
    assert module.__all__, package
    for name in module.__all__:
        assert getattr(module, name) is not None, f"autotune.{package}.{name}"


def test_the_command_line_starts_without_the_heavy_libraries() -> None:
    """`autotune --help` (and shell completion) must not load openvino, pandas or plotly."""
    import subprocess
    import sys

    code = "import sys, autotune.cli; print(' '.join(m for m in ('openvino', 'pandas', 'plotly') if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""
