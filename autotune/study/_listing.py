"""The list of studies in a storage, for `autotune studies`: each with what ships, its figure
(the confirmed median where the confirmation measured it, as everywhere else) and its gain
over the reference hint as the judge states it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import optuna

from autotune.judge import Limits
from autotune.study._open import study_decision_of
from autotune.study._record import META_ATTR
from autotune.study._storage import open_storage


def list_studies(storage: str) -> list[dict[str, Any]]:
    backend = open_storage(storage, heartbeat=False, read_only=True)
    rows = []
    for summary in optuna.get_all_study_summaries(backend, include_best_trial=False):
        meta = summary.user_attrs.get(META_ATTR)
        if not meta:
            continue
        study = optuna.load_study(study_name=summary.study_name, storage=backend)
        _, trials, _, _, decision = study_decision_of(study)
        winner = decision.winner
        reference = decision.reference_hint
        gain = decision.gain
        rows.append(
            {
                "name": summary.study_name,
                "model": Path(meta["model"]["path"]).name,
                "devices": list(meta.get("devices", [])),
                "limit": Limits.from_dict(meta["limits"]).describe(),
                "trials": sum(1 for t in trials if t.measured),
                "ships": winner.label if winner else None,
                "throughput_fps": winner.throughput.to_dict() if winner else None,
                # what that figure is: "throughput" (FPS), "p90 latency" (ms, lower is better)
                "figure": {
                    "name": winner.figure.name,
                    "unit": winner.figure.unit,
                    "direction": winner.figure.direction,
                }
                if winner
                else None,
                # the server scenario's stated rate and the proof behind it
                "claim": winner.claim.to_dict() if winner and winner.claim else None,
                "source": ("confirmation" if winner.confirmed else "search") if winner else None,
                "vs_hint": reference.presets[0] if gain is not None and reference else None,
                "ratio": gain.to_dict() if gain is not None else None,
                "ratio_text": gain.short() if gain is not None else None,
                "significant": decision.significant,
            }
        )
    return rows
