"""The library's top-level calls: a search that also writes its artifacts (report.html and,
when a configuration meets the limits, best_config.json) — what ``autotune search`` does,
callable from Python."""

from __future__ import annotations

import optuna

from autotune.deploy import build_best_config, write_best_config
from autotune.report import write_report
from autotune.study import open_storage
from autotune.tuning import SearchObserver, SearchOutcome, SearchSettings, run_search


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
