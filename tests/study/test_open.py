"""Opening a study: create, resume, refuse another model or hardware, recover dead workers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import optuna
import pytest

from autotune.core import StudyError
from autotune.study import (
    load_study,
    open_storage,
    open_study,
    recover_stale_trials,
    study_out_dir,
)

META = {
    "model": {
        "path": "/m.xml",
        "sha256": "abc",
        "shape": None,
        "batch_axes": {"inputs": {"x": 0}, "searchable": True},
    },
    "limits": {"max_latency_ms": 5.0, "percentile": 90.0},
    "objective": "throughput",
    "devices": ["CPU"],
    "fingerprint": {"cpu": "This CPU", "logical_cpus": 2},
    "out_dir": "studies/s",
}


def test_open_resume_and_refuse(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/s.db"
    storage = open_storage(url)
    created = open_study(storage, "s", META)
    assert created.user_attrs["autotune"]["schema"] == 1
    assert open_study(storage, "s", META).study_name == "s"  # resumed
    other_model = {**META, "model": {**META["model"], "sha256": "def"}}
    with pytest.raises(StudyError, match="another model"):
        open_study(storage, "s", other_model)
    # other batch axes: its batched trials were another computation
    state_axis = {**META, "model": {**META["model"], "batch_axes": {"inputs": {"x": 1}}}}
    with pytest.raises(StudyError, match="other batch axes"):
        open_study(storage, "s", state_axis)
    unchecked = {k: v for k, v in META["model"].items() if k != "batch_axes"}
    elsewhere = open_storage(f"sqlite:///{tmp_path}/old.db")
    open_study(elsewhere, "old", {**META, "model": unchecked})  # written by an older autotune
    with pytest.raises(StudyError, match="dimension 0 of every input"):
        open_study(elsewhere, "old", META)
    other_cpu = {**META, "fingerprint": {**META["fingerprint"], "cpu": "Other CPU"}}
    with pytest.raises(StudyError, match="hardware fingerprint differs"):
        open_study(storage, "s", other_cpu)
    assert open_study(storage, "s", other_cpu, allow_mixed_hardware=True)
    replaced = open_study(storage, "s", other_model, force=True)
    assert replaced.user_attrs["autotune"]["model"]["sha256"] == "def"
    assert load_study(None, url).study_name == "s" and study_out_dir(load_study("s", url)) == Path(
        "studies/s"
    )


def test_a_dead_workers_trial_is_failed_on_resume(tmp_path: Path) -> None:
    """A real worker process starts a trial and exits without finishing it."""
    url = f"sqlite:///{tmp_path}/s.db"
    study = open_study(open_storage(url), "s", META)
    worker = (
        "import optuna; from autotune.core import RuntimeConfig; from autotune.study import write_request\n"
        f"study = optuna.load_study(study_name='s', storage={url!r})\n"
        "write_request(study.ask(), RuntimeConfig())\n"
    )
    subprocess.run([sys.executable, "-c", worker], check=True, timeout=60)
    assert recover_stale_trials(study) == [0]
    frozen = optuna.load_study(study_name="s", storage=url).trials[0]
    assert (
        frozen.state.name == "FAIL" and "died while measuring" in frozen.user_attrs["fail_reason"]
    )
