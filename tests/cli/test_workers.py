"""Several workers on one study: PostgreSQL storage, the per-machine measurement lock, and the
hardware fingerprint check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import optuna
import pytest

from tests.commands import search_args
from tests.postgres import postgres_server

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    with postgres_server() as url:
        yield url


def worker(
    model: Path, storage: str, out: Path, env: dict[str, str], trials: int, *extra: str
) -> subprocess.Popen[str]:
    args = search_args(
        model,
        storage,
        out,
        "--study",
        "shared",
        "--confirm-top",
        "0",
        "--json",
        *extra,
        trials=trials,
        trial_time="0.3s",
    )
    command = [sys.executable, "-m", "autotune", *args]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def measured(trials: list[optuna.trial.FrozenTrial]) -> int:
    """What --trials counts: completed trials that measured a configuration of their own."""
    return sum(t.state.name == "COMPLETE" and "duplicate_of" not in t.user_attrs for t in trials)


def test_two_workers_share_one_study(postgres_url: str, tiny_model: Path, tmp_path: Path) -> None:
    env = {**os.environ, "AUTOTUNE_LOCK_FILE": str(tmp_path / "machine.lock")}
    a = worker(tiny_model, postgres_url, tmp_path / "a", env, 10)
    b = worker(tiny_model, postgres_url, tmp_path / "b", env, 10)
    out_a, err_a = a.communicate(timeout=600)
    out_b, err_b = b.communicate(timeout=600)
    assert a.returncode == 0, err_a
    assert b.returncode == 0, err_b
    study = optuna.load_study(study_name="shared", storage=postgres_url)
    trials = study.trials
    numbers = [t.number for t in trials]
    assert numbers == list(range(len(trials)))  # nothing lost, nothing duplicated
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in trials)
    assert (
        10 <= measured(trials) <= 12
    )  # each worker may finish the trial in hand when the target is hit
    by_worker = {a.pid: 0, b.pid: 0}
    for t in trials:
        by_worker[t.user_attrs["worker"]["pid"]] += 1
    reported = {a.pid: json.loads(out_a)["new_trials"], b.pid: json.loads(out_b)["new_trials"]}
    assert by_worker == reported and sum(reported.values()) == len(trials)
    assert all(count > 0 for count in by_worker.values())  # both really worked
    # the per-machine lock serialized measurement: no two measurements overlap in time
    spans = sorted(tuple(t.user_attrs["measured_at"]) for t in trials)
    assert all(later[0] >= earlier[1] for earlier, later in zip(spans, spans[1:], strict=False))
    assert "another autotune worker" in err_a + err_b


def test_worker_with_other_hardware_is_refused(
    postgres_url: str, tiny_model: Path, tmp_path: Path
) -> None:
    env = {**os.environ, "AUTOTUNE_LOCK_FILE": str(tmp_path / "machine.lock")}
    study = optuna.load_study(study_name="shared", storage=postgres_url)
    meta = study.user_attrs["autotune"]
    study.set_user_attr(
        "autotune", {**meta, "fingerprint": {**meta["fingerprint"], "cpu": "Some Other CPU"}}
    )
    before = len(study.trials)
    target = measured(study.trials) + 1
    refused = worker(tiny_model, postgres_url, tmp_path / "c", env, target)
    _, err = refused.communicate(timeout=300)
    assert refused.returncode == 2
    assert (
        "hardware fingerprint differs" in err
        and "Some Other CPU" in err
        and "--allow-mixed-hardware" in err
    )
    assert len(optuna.load_study(study_name="shared", storage=postgres_url).trials) == before
    allowed = worker(
        tiny_model, postgres_url, tmp_path / "d", env, target, "--allow-mixed-hardware"
    )
    _, err = allowed.communicate(timeout=300)
    assert allowed.returncode == 0, err
    assert measured(optuna.load_study(study_name="shared", storage=postgres_url).trials) == target
