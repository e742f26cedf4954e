from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from tests.models import conv_model

# The peak-GFLOP/s measurement is cached per machine; one cache for the whole test session.
_SESSION_CACHE = Path(tempfile.mkdtemp(prefix="autotune-test-cache-"))


@pytest.fixture(autouse=True)
def _private_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test measures under its own machine lock file (tests run one at a time anyway)."""
    monkeypatch.setenv("AUTOTUNE_LOCK_FILE", str(tmp_path / "measure.lock"))
    monkeypatch.setenv("AUTOTUNE_CACHE_DIR", str(_SESSION_CACHE))
    for name in ("AUTOTUNE_FAULT", "AUTOTUNE_STORAGE", "AUTOTUNE_HOME"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def tiny_model(model_dir: Path) -> Path:
    """A real CNN with a dynamic batch, ~0.1 ms per inference."""
    return conv_model(model_dir / "tiny.xml", size=64)


@pytest.fixture(scope="session")
def static_model(model_dir: Path) -> Path:
    """The same CNN with a static batch of 1 (enables the BATCH device)."""
    return conv_model(model_dir / "static.xml", size=64, batch=1)


@pytest.fixture()
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in a fresh folder: the default storage studies/autotune.db lands here."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
