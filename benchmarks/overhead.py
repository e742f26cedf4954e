"""Where a study's wall time goes: inside measurement windows vs everything else (worker start,
model read, compile — from the cache after the first —, first inference, warm-up, sampler,
storage, confirmation set-up). Target: ≤ 15 % outside the windows.

    python benchmarks/overhead.py [--trials 20] [--trial-time 2]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import optuna
from _common import CACHE, header, table

from autotune import runtime
from autotune.study import load_confirmation
from autotune.tuning import SearchSettings, run_search


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--trial-time", type=float, default=2.0)
    args = parser.parse_args()
    header(
        f"overhead: share of a study's wall time outside measurement windows ({args.trials} trials × {args.trial_time:g} s, demo CNN)"
    )
    model = runtime.build_demo_model(CACHE / "demo" / "demo.xml")
    with tempfile.TemporaryDirectory() as tmp:
        storage = f"sqlite:///{tmp}/overhead.db"
        started = time.perf_counter()
        outcome = run_search(
            SearchSettings(
                model_path=str(model),
                shape="images[1,3,224,224]",
                max_latency_s=0.005,
                device="CPU",
                trials=args.trials,
                trial_time_s=args.trial_time,
                storage=storage,
                out_dir=str(Path(tmp) / "out"),
                seed=0,
            )
        )
        total = time.perf_counter() - started
        study = optuna.load_study(study_name=outcome.study_name, storage=storage)
        confirmation = load_confirmation(study)
    trials = [t for t in outcome.trials if t.measured]
    windows = sum(w.wall_s for t in trials for w in t.windows)
    compile_s = (
        sum(t.metrics["compile_ms"] for t in outcome.trials if t.complete) / 1e3
    )  # duplicates too
    first_s = sum(t.metrics["first_inference_ms"] for t in trials) / 1e3
    measured = sum(t.metrics["measured_s"] for t in trials)
    warmup = measured - windows
    trial_wall = sum(t.duration_s or 0 for t in outcome.trials)
    confirm_windows = (
        sum(w.wall_s for c in confirmation.candidates for w in c.windows) if confirmation else 0.0
    )
    search_wall = trial_wall
    rows = [
        ["measurement windows (search)", f"{windows:.1f}", f"{windows / total:.1%}"],
        [
            "measurement windows (confirmation)",
            f"{confirm_windows:.1f}",
            f"{confirm_windows / total:.1%}",
        ],
        ["warm-up (kept apart from windows)", f"{warmup:.1f}", f"{warmup / total:.1%}"],
        ["compile (cache hits after the first)", f"{compile_s:.1f}", f"{compile_s / total:.1%}"],
        ["first inference", f"{first_s:.1f}", f"{first_s / total:.1%}"],
        [
            "rest of trials (model prep, worker I/O, sampler, storage)",
            f"{search_wall - measured - compile_s - first_s:.1f}",
            f"{(search_wall - measured - compile_s - first_s) / total:.1%}",
        ],
        [
            "outside trials (plan, worker start, f32 reference, confirmation set-up, winner analysis)",
            f"{total - search_wall - confirm_windows:.1f}",
            f"{(total - search_wall - confirm_windows) / total:.1%}",
        ],
    ]
    print(table(rows, ["where", "seconds", "share"]))
    outside = 1 - (windows + confirm_windows) / total
    print(
        f"\ntotal {total:.1f} s for {len(trials)} trials; outside measurement windows: {outside:.1%} (target ≤ 15 %)"
    )


if __name__ == "__main__":
    main()
