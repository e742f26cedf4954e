"""The list of studies in a storage, for `autotune studies`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import optuna

from autotune.results import META_ATTR, Limits
from autotune.storage import open_storage


def list_studies(storage: str) -> list[dict[str, Any]]:
    backend = open_storage(storage, heartbeat=False, must_exist=True)
    rows = []
    for summary in optuna.get_all_study_summaries(backend, include_best_trial=False):
        meta = summary.user_attrs.get(META_ATTR)
        if not meta:
            continue
        study = optuna.load_study(study_name=summary.study_name, storage=backend)
        from autotune.store import study_results

        _, trials, configs = study_results(study)
        feasible = [c.throughput_fps for c in configs if c.feasible]
        rows.append(
            {
                "name": summary.study_name,
                "model": Path(meta["model"]["path"]).name,
                "devices": ", ".join(meta.get("devices", [])),
                "limit": Limits.from_dict(meta["limits"]).describe(),
                "trials": sum(1 for t in trials if t.complete),
                "best_fps": max(feasible) if feasible else None,
            }
        )
    return rows
