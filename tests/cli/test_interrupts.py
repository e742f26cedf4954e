"""Ctrl-C, kill -9 and crashing/hanging configs, with real signals and real processes: no
completed trial is lost and the rerun finishes the study."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import optuna
import pytest

from tests.commands import search_args

pytestmark = pytest.mark.slow


def command(model: Path, db: Path, out: Path, trials: int, *extra: str) -> list[str]:
    args = search_args(
        model,
        f"sqlite:///{db}",
        out,
        "--study",
        "s",
        "--confirm-top",
        "0",
        *extra,
        trials=trials,
        trial_time="0.3s",
    )
    return [sys.executable, "-m", "autotune", *args]


def states(db: Path) -> dict[str, int]:
    study = optuna.load_study(study_name="s", storage=f"sqlite:///{db}")
    counts: dict[str, int] = {}
    for t in study.trials:
        counts[t.state.name] = counts.get(t.state.name, 0) + 1
    return counts


def wait_for_complete(db: Path, n: int, proc: subprocess.Popen[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        if db.exists():
            try:
                if states(db).get("COMPLETE", 0) >= n:
                    return
            except (KeyError, Exception):
                pass
        time.sleep(0.2)
    raise AssertionError("search did not progress")


def session_processes(sid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == sid and fields[0] != "Z":
                pids.append(int(entry.name))
    return pids


def integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return str(conn.execute("pragma integrity_check").fetchone()[0])


def test_ctrl_c_keeps_the_study_and_the_rerun_finishes(tiny_model: Path, tmp_path: Path) -> None:
    db, out = tmp_path / "s.db", tmp_path / "out"
    proc = subprocess.Popen(
        command(tiny_model, db, out, 9),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    wait_for_complete(db, 3, proc)
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole process group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err[-3000:]
    assert "is intact" in err and "Resume with the same command" in err
    assert "Traceback" not in err
    time.sleep(0.5)
    assert session_processes(proc.pid) == []  # the measuring child was cleaned up
    counts = states(db)
    assert counts.get("RUNNING", 0) == 0 and counts["COMPLETE"] >= 3
    study = optuna.load_study(study_name="s", storage=f"sqlite:///{db}")
    assert all(
        "interrupted" in t.user_attrs.get("fail_reason", "interrupted")
        for t in study.trials
        if t.state.name == "FAIL"
    )
    completed_before = {t.number: t.value for t in study.trials if t.state.name == "COMPLETE"}
    rerun = subprocess.run(
        command(tiny_model, db, out, 9), capture_output=True, text=True, timeout=300
    )
    assert rerun.returncode == 0, rerun.stderr
    study = optuna.load_study(study_name="s", storage=f"sqlite:///{db}")
    assert measured(study) == 9
    assert {
        t.number: t.value for t in study.trials if t.number in completed_before
    } == completed_before
    assert integrity(db) == "ok"


def measured(study: optuna.Study) -> int:
    """Trials that measured a configuration of their own (what --trials counts)."""
    return sum(
        t.state.name == "COMPLETE" and "duplicate_of" not in t.user_attrs for t in study.trials
    )


def test_kill_9_leaves_a_running_trial_that_the_rerun_marks(
    tiny_model: Path, tmp_path: Path
) -> None:
    db, out = tmp_path / "s.db", tmp_path / "out"
    proc = subprocess.Popen(
        command(tiny_model, db, out, 8, "--trial-time", "1s"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    wait_for_complete(db, 2, proc)
    time.sleep(0.4)  # inside the next trial's measurement
    os.kill(proc.pid, signal.SIGKILL)  # only the parent, as the OOM killer would
    proc.communicate(timeout=30)
    deadline = time.monotonic() + 10
    while session_processes(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert session_processes(proc.pid) == []  # the child died with its parent (PDEATHSIG)
    assert integrity(db) == "ok"
    before = states(db)
    assert before.get("RUNNING", 0) == 1
    completed = before["COMPLETE"]
    rerun = subprocess.run(
        command(tiny_model, db, out, 8), capture_output=True, text=True, timeout=300
    )
    assert rerun.returncode == 0, rerun.stderr
    assert "left running by a dead worker" in rerun.stderr
    study = optuna.load_study(study_name="s", storage=f"sqlite:///{db}")
    failed = [t for t in study.trials if t.state.name == "FAIL"]
    assert len(failed) == 1 and "died while measuring" in failed[0].user_attrs["fail_reason"]
    assert measured(study) == 8
    assert completed >= 2


def test_crash_and_hang_each_cost_exactly_one_trial(tiny_model: Path, tmp_path: Path) -> None:
    db, out = tmp_path / "s.db", tmp_path / "out"
    env = {**os.environ, "AUTOTUNE_FAULT": "segfault@trial=3;hang@trial=4"}
    run = subprocess.run(
        command(tiny_model, db, out, 7, "--trial-timeout", "5s"),
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert run.returncode == 0, run.stderr
    study = optuna.load_study(study_name="s", storage=f"sqlite:///{db}")
    failed = {
        t.number: t.user_attrs["fail_reason"] for t in study.trials if t.state.name == "FAIL"
    }
    assert set(failed) == {3, 4}
    assert "SIGSEGV" in failed[3]
    assert "timed out after 5s" in failed[4]
    assert measured(study) == 7
    report = (out / "report.html").read_text()
    assert "SIGSEGV" in report and "timed out" in report
