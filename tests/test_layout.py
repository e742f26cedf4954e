"""The layout holds: dependencies point one way down the pipeline, packages are entered through
their ``__init__`` only, only the runtime package imports openvino, and decisions are made in
the judge only."""

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


def typed_exports(init: Path) -> dict[str, str]:
    """name → module of each ``if TYPE_CHECKING:`` import in a lazy package's __init__ (what
    mypy and readers see)."""
    found = {}
    for node in ast.walk(ast.parse(init.read_text())):
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for stmt in node.body:
                if isinstance(stmt, ast.ImportFrom) and stmt.module:
                    found.update({a.asname or a.name: stmt.module for a in stmt.names})
    return found


@pytest.mark.parametrize(
    "package",
    ["core", "runtime", "measure", "judge", "study", "tuning", "deploy", "report", "testing"],
)
def test_every_public_name_is_the_one_its_package_defines(package: str) -> None:
    """What a package's __init__ lists is there; a lazy name is the object of the module it is
    said to live in, and the typed imports say the same module; no package hands out another
    package's function or class as its own."""
    import importlib

    module = importlib.import_module(f"autotune.{package}")
    assert module.__all__, package
    lazy: dict[str, str] = getattr(module, "_EXPORTS", {})
    if lazy:
        typed = typed_exports(ROOT / package / "__init__.py")
        wanted = {name: f"autotune.{package}.{where}" for name, where in lazy.items()}
        assert typed == wanted, f"autotune.{package}: TYPE_CHECKING imports ≠ _EXPORTS"
    for name in module.__all__:
        value = getattr(module, name)
        if name in lazy:
            home = importlib.import_module(f"autotune.{package}.{lazy[name]}")
            assert value is getattr(home, name), f"autotune.{package}.{name}"
        defined = getattr(value, "__module__", None) if callable(value) else None
        if defined and defined.startswith("autotune."):
            assert defined.startswith(f"autotune.{package}."), (
                f"autotune.{package}.{name} comes from {defined}"
            )


# Decisions live in the judge: outside it, no module divides one config's throughput by
# another's (a gain, a ratio to a hint) or computes a paired ratio of rounds.
THROUGHPUT_WORDS = ("throughput", "fps", "estimate")
JUDGE_ONLY_CALLS = ("paired_ratio", "round_ratios")


def _names(node: ast.AST) -> list[str]:
    """Every identifier and attribute name in an expression."""
    out = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            out.append(sub.id)
        elif isinstance(sub, ast.Attribute):
            out.append(sub.attr)
    return out


def _a_throughput(node: ast.AST) -> bool:
    return any(word in name.lower() for name in _names(node) for word in THROUGHPUT_WORDS)


def decisions(source: str) -> list[str]:
    """(line: what) of each throughput ratio and each judge-only call in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            if _a_throughput(node.left) and _a_throughput(node.right):
                found.append(f"line {node.lineno}: a throughput ratio: {ast.unparse(node)}")
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else ""
            name = node.func.id if isinstance(node.func, ast.Name) else name
            if name in JUDGE_ONLY_CALLS:
                found.append(f"line {node.lineno}: {name}() belongs to the judge")
    return found


@pytest.mark.parametrize(
    "path",
    [p for p in MODULES if package_of(p) != "judge"],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_decisions_are_made_in_the_judge(path: Path) -> None:
    found = decisions(path.read_text())
    assert not found, "\n".join(found)


def test_the_decision_test_catches_a_ratio_outside_the_judge() -> None:
    planted = (
        "def gain(winner, hint, decision):\n"
        "    a = winner.throughput.estimate / hint.throughput.estimate\n"  # a gain
        "    b = c.throughput_fps / best_hint_fps\n"  # a ratio to a hint
        "    c = paired_ratio(winner.rounds, hint.rounds)\n"  # the judge's interval
        "    d = judge.paired_ratio(x, y)\n"
        "    e = frames / wall\n"  # a throughput, not a comparison: fine
        "    f = gflops_per_frame * fps / 1e9\n"  # fine
    )
    assert [x.split(":")[0] for x in decisions(planted)] == [
        "line 2",
        "line 3",
        "line 4",
        "line 5",
    ]


def test_the_command_line_starts_without_the_heavy_libraries() -> None:
    """`autotune --help` (and shell completion) must not load openvino, pandas or plotly."""
    import subprocess
    import sys

    code = "import sys, autotune.cli; print(' '.join(m for m in ('openvino', 'pandas', 'plotly') if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""
