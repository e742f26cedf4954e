"""Library calls that combine the tuner with the export and the report: what one CLI command
does, callable from Python too."""

from __future__ import annotations

from pathlib import Path

import optuna

from autotune.errors import StudyError
from autotune.export import build_best_config, no_feasible_error, write_best_config
from autotune.plan import SearchSettings
from autotune.report import write_report
from autotune.storage import DEFAULT_STORAGE, open_storage
from autotune.store import load_meta
from autotune.tuner import SearchObserver, SearchOutcome, run_search


def search(settings: SearchSettings, observer: SearchObserver | None = None) -> SearchOutcome:
    """Run a search, then write report.html and (when a config meets the limits)
    best_config.json into the study's output folder."""
    outcome = run_search(settings, observer)
    study = optuna.load_study(
        study_name=outcome.study_name, storage=open_storage(outcome.storage, heartbeat=False)
    )
    outcome.files["report"] = write_report(study, outcome.storage, outcome.out_dir / "report.html")
    if outcome.feasible:
        doc = build_best_config(study, outcome.storage)
        outcome.files["best_config"] = write_best_config(doc, outcome.out_dir / "best_config.json")
    return outcome


def load_study(name: str | None, storage: str = DEFAULT_STORAGE) -> optuna.Study:
    """Load an autotune study; without a name, the only (or most recent) one in the storage."""
    backend = open_storage(storage, heartbeat=False, must_exist=True)
    summaries = optuna.get_all_study_summaries(backend, include_best_trial=False)
    names = [s.study_name for s in summaries]
    if not names:
        raise StudyError(f"storage {storage!r} holds no study", "run autotune search first")
    if name is None:
        if len(names) > 1:
            latest = max(
                summaries, key=lambda s: (s.datetime_start is not None, s.datetime_start or 0)
            )
            name = latest.study_name
        else:
            name = names[0]
    if name not in names:
        raise StudyError(
            f"no study named {name!r} in {storage}",
            f"pick one of: {', '.join(sorted(names)[:10])}",
        )
    study = optuna.load_study(study_name=name, storage=backend)
    load_meta(study)
    return study


def study_out_dir(study: optuna.Study) -> Path:
    meta = load_meta(study)
    return Path(meta.get("out_dir") or Path("studies") / study.study_name)


__all__ = ["search", "load_study", "study_out_dir", "no_feasible_error"]
