"""Tuned config vs the OpenVINO hints, on real models, at limits set from each model's own
LATENCY-hint latency (1.5× and 3× its p90 by default).

Prints per model and limit: the best hint that meets the limit, the tuned (confirmed) winner,
their ratio with its 95 % interval from the interleaved confirmation, and the trials used.
Target: ratio ≥ 1.00 everywhere (the hints are candidates too, so the winner is never worse
than the best feasible hint in the confirmation rounds); where it is > 1, the interval says
whether the gain is real.

    python benchmarks/vs_hints.py [--trials 20] [--trial-time 1] [--factors 1.5 3]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time

from _common import CACHE, StealMeter, header, table
from fetch_models import model_paths

from autotune import runtime
from autotune.config import preset_config
from autotune.plan import SearchSettings
from autotune.units import format_shape
from autotune.worker import IsolatedRunner
from autotune.workflow import search


def suite() -> dict[str, tuple[str, str]]:
    demo = runtime.build_demo_model(CACHE / "demo" / "demo.xml")
    models = {"demo-cnn": (str(demo), "images[1,3,224,224]")}
    for name, (path, shape) in model_paths().items():
        info = runtime.inspect_model(path, json.loads(shape))
        models[name] = (str(path), format_shape(info.shape or {}))
    return models


def latency_hint_p90(runner: IsolatedRunner, path: str, shape: str) -> float:
    from autotune.units import parse_shape

    result = runner.call("measure_config", {
        "model_path": path, "shape": parse_shape(shape), "config": preset_config("LATENCY").to_dict(),
        "trial_time_s": 2.0, "percent": 90,
    }, timeout_s=300)
    return float(result["measurement"]["constrained_latency_ms"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--trial-time", type=float, default=1.0)
    parser.add_argument("--factors", type=float, nargs="+", default=[1.5, 3.0])
    parser.add_argument("--models", nargs="*", help="subset of: demo-cnn yolov8n-nudenet ppocrv4-det ppocrv4-rec ppocr-cls")
    parser.add_argument("--max-drift", default="0.05", help="accuracy guard as in autotune search; 'off' compares on latency alone")
    args = parser.parse_args()
    drift = None if args.max_drift == "off" else float(args.max_drift)
    header(f"vs_hints: tuned config vs OpenVINO hints ({args.trials} trials × {args.trial_time:g} s, confirmed, "
           f"accuracy guard {'off' if drift is None else f'≤ {drift:g}'})")
    storage = f"sqlite:///{CACHE / 'vs_hints.db'}"
    rows = []
    models = suite()
    for name in args.models or list(models):
        path, shape = models[name]
        with IsolatedRunner() as runner:
            base = latency_hint_p90(runner, path, shape)
        for factor in args.factors:
            limit_ms = base * factor
            started = time.monotonic()
            with StealMeter() as steal:
                outcome = search(SearchSettings(
                    model_path=path, shape=shape, max_latency_s=limit_ms / 1e3, device="CPU",
                    trials=args.trials, trial_time_s=args.trial_time, study_name=f"{name}-{factor:g}x",
                    storage=storage, out_dir=str(CACHE / "vs_hints" / f"{name}-{factor:g}x"), seed=0, force=True,
                    max_drift=drift,
                ))
            elapsed = time.monotonic() - started
            conf = outcome.confirmation
            winner = conf.winner if conf else None
            best_hint = conf.best_hint if conf else None
            hint_fps = next((c.throughput.estimate for c in conf.candidates if best_hint in c.presets), math.nan) if conf else math.nan
            ratio = conf.ratios.get(best_hint) if conf and best_hint else None
            drifts = [c.drift for c in outcome.configs if c.presets and c.drift is not None]
            hint_drift = f"{max(drifts):.3g}" if drifts else "–"
            rows.append([
                name, shape, f"{factor:g}× = {limit_ms:.2f} ms", hint_drift,
                f"{best_hint or 'none'} {hint_fps:.1f}",
                (winner.label if winner else "none")[:44], f"{winner.throughput.estimate:.1f}" if winner else "–",
                ratio.format() if ratio else "–", "yes" if conf and conf.significant else "no",
                len([t for t in outcome.trials if t.complete]), f"{elapsed:.0f}s", f"{steal.fraction:.0%}",
            ])
            print(f"  {name} {factor:g}×: {conf.verdict if conf else 'no confirmation'}", file=sys.stderr)
    print(table(rows, ["model", "shape", "p90 limit", "hint drift", "best feasible hint FPS", "tuned winner", "FPS", "ratio [95% CI]", "significant", "trials", "time", "steal"]))


if __name__ == "__main__":
    main()
