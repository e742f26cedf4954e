"""What the distribution declares matches what the code imports, and autotune starts where
fcntl does not exist (it says it measures on Linux only, instead of failing on import)."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata

from tests.test_layout import MODULES, imports

DISTRIBUTION = "openvino-autotune"


def requirements() -> dict[str, str]:
    """{normalized distribution name: its specifier and marker} from the installed metadata."""
    found = {}
    for line in metadata.requires(DISTRIBUTION) or []:
        name = re.split(r"[\s<>=!;\[]", line, maxsplit=1)[0]
        found.setdefault(name.lower().replace("_", "-"), line)
    return found


def test_every_third_party_import_is_declared() -> None:
    provided = metadata.packages_distributions()
    declared = requirements()
    stdlib = set(sys.stdlib_module_names)
    missing = set()
    for path in MODULES:
        for _, module in imports(path):
            top = module.split(".")[0]
            if top in stdlib or top in ("autotune", "__future__"):
                continue
            for dist in provided.get(top, [top]):
                if dist.lower().replace("_", "-") not in declared:
                    missing.add(f"{path.name}: {module} ({dist})")
    assert not missing


def test_bounds_match_what_the_code_relies_on() -> None:
    declared = requirements()
    assert "<6" in declared["optuna"] and ">=5" in declared["optuna"]  # private storage APIs
    assert ">=2.1" in declared["sqlalchemy"]
    assert ">=6" in declared["plotly"] and ">=1" in declared["kaleido"]  # plotly 6 needs kaleido 1
    classifiers = metadata.metadata(DISTRIBUTION).get_all("Classifier") or []
    assert "Operating System :: POSIX :: Linux" in classifiers


NO_FCNTL = """
import sys

class NoFcntl:
    def find_spec(self, name, path=None, target=None):
        if name == "fcntl":
            raise ModuleNotFoundError("No module named 'fcntl'")

sys.modules.pop("fcntl", None)
sys.meta_path.insert(0, NoFcntl())
from typer.testing import CliRunner
from autotune.cli import app
from autotune.core import BadInputError
from autotune.measure import machine_lock

assert CliRunner().invoke(app, ["search", "--help"]).exit_code == 0
try:
    with machine_lock():
        pass
except BadInputError as exc:
    print(exc.one_line())
"""


def test_without_fcntl_the_cli_starts_and_measuring_says_linux_only() -> None:
    run = subprocess.run(
        [sys.executable, "-c", NO_FCNTL], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.startswith("autotune measures on Linux only (no fcntl on linux)")
