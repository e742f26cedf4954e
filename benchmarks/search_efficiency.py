"""How many trials does the constrained TPE search need, against random search and against the
exhaustive grid of the same space?

Runs on a simulated 64-core CPU (autotune.testing: streams × threads, batch, precision,
queueing latency from requests in flight, per-request noise) through the real objective,
sampler, presets and selection code. For each method and seed: the number of trials until the
configuration the search would pick (best measured feasible) is truly within 98 % of the grid
optimum. Target: autotune's search ≤ 25 % of the grid. Rows: autotune as shipped (constrained
TPE, hint presets first, latency steering), TPE without steering, and random search.

    python benchmarks/search_efficiency.py [--seeds 5] [--budget 300] [--cores 64]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys

import optuna
from _common import header, table

from autotune.core import RuntimeConfig
from autotune.judge import Limits
from autotune.measure import TrialFailure
from autotune.study import best_by_search, load_trials, unique_configs
from autotune.testing import SimulatedMachine, SimulatedRunner, simulated_model
from autotune.tuning import (
    MeasureSettings,
    Objective,
    SearchSettings,
    Steering,
    build_space,
    enqueue_presets,
    make_sampler,
)

optuna.logging.set_verbosity(optuna.logging.ERROR)
POWERS = [1, 2, 4, 8, 16, 32, 64, 128]


def grid(machine: SimulatedMachine, batches: list[int]) -> list[RuntimeConfig]:
    """Every combination a hand-made grid search would run: streams and threads in powers of
    two, each batch, requests = streams or 2× streams, each precision, pinning on/off."""
    cores = [p for p in POWERS if p <= machine.cores]
    configs = []
    for s, t, b, k, prec, pin in itertools.product(
        cores, cores, batches, (1, 2), machine.precision_speed, (True, False)
    ):
        configs.append(
            RuntimeConfig(
                hint="NONE",
                streams=s,
                threads=t,
                batch=b,
                infer_requests=s * k,
                precision=prec,
                cpu_pinning=pin,
            )
        )
    return configs


def true_value(machine: SimulatedMachine, cfg: RuntimeConfig, limit_ms: float) -> float:
    eff = machine.effective(cfg)
    return machine.true_throughput(eff) if machine.true_latency_ms(eff) <= limit_ms else 0.0


def run_search(
    machine: SimulatedMachine,
    sampler_kind: str,
    seed: int,
    budget: int,
    limit_ms: float,
    optimum: float,
) -> list[float]:
    """The true value (÷ grid optimum) of the configuration the search would pick, after each trial."""
    model = simulated_model()
    space = build_space(["CPU"], machine.capabilities(), model, max_batch=8)
    limits = Limits(max_latency_ms=limit_ms, percentile=90)
    settings = MeasureSettings(
        model=model, trial_time_s=0.5, trial_timeout_s=60, limits=limits, cache_dir=""
    )
    objective = Objective(space, settings, SimulatedRunner(machine, seed=seed), lock=_no_lock)
    if sampler_kind == "random":
        sampler: optuna.samplers.BaseSampler = optuna.samplers.RandomSampler(seed=seed)
    else:
        sampler = make_sampler(SearchSettings(model_path="sim.xml", seed=seed), budget)
    callbacks = [Steering(space, limit_ms)] if sampler_kind == "autotune" else []
    study = optuna.create_study(direction="maximize", sampler=sampler)
    enqueue_presets(study, space)
    curve = []
    for _ in range(budget):
        study.optimize(objective, n_trials=1, catch=(TrialFailure,), callbacks=callbacks)
        best = best_by_search(unique_configs(load_trials(study), limits))
        curve.append(true_value(machine, best.config, limit_ms) / optimum if best else 0.0)
    return curve


def _no_lock(*_: object):
    import contextlib

    return contextlib.nullcontext()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--budget", type=int, default=200)
    parser.add_argument("--cores", type=int, default=64)
    parser.add_argument(
        "--limit-factor",
        type=float,
        default=3.0,
        help="latency limit = factor × LATENCY-hint latency",
    )
    args = parser.parse_args()
    header("search_efficiency: constrained TPE vs random vs exhaustive grid (simulated CPU)")
    machine = SimulatedMachine(cores=args.cores, frame_ms=40.0)
    latency_hint = machine.true_latency_ms(
        machine.effective(RuntimeConfig(hint="LATENCY", preset="LATENCY"))
    )
    limit_ms = args.limit_factor * latency_hint
    configs = grid(machine, [1, 2, 4, 8])
    values = [true_value(machine, c, limit_ms) for c in configs]
    optimum = max(values)
    best = configs[values.index(optimum)]
    print(
        f"# simulated {args.cores}-core CPU; p90 limit {limit_ms:.2f} ms ({args.limit_factor:g}× LATENCY hint {latency_hint:.2f} ms)"
    )
    print(
        f"# grid: {len(configs)} configs; optimum {optimum:.0f} FPS at {best.describe()}; THROUGHPUT hint "
        f"{true_value(machine, RuntimeConfig(hint='THROUGHPUT', preset='THROUGHPUT'), limit_ms) or 'infeasible'} (0 = over the limit)"
    )
    rows = []
    names = {
        "autotune": "autotune (constrained TPE + steering)",
        "tpe": "constrained TPE alone",
        "random": "random search",
    }
    for kind in names:
        curves = [
            run_search(machine, kind, seed, args.budget, limit_ms, optimum)
            for seed in range(args.seeds)
        ]
        needed = [next((i + 1 for i, v in enumerate(c) if v >= 0.98), None) for c in curves]
        median = statistics.median([n if n is not None else args.budget + 1 for n in needed])
        at = {
            n: statistics.median(c[n - 1] for c in curves)
            for n in (25, 50, 100)
            if n <= args.budget
        }
        print(f"  {kind}: {needed}", file=sys.stderr)
        rows.append(
            [
                names[kind],
                " ".join(str(n) if n else f">{args.budget}" for n in needed),
                f"{median:g}" if median <= args.budget else f">{args.budget}",
                f"{median / len(configs):.1%}",
                f"{sum(n is not None for n in needed)}/{len(needed)}",
                " ".join(f"{v:.2f}" for v in at.values()),
            ]
        )
    rows.append(["exhaustive grid", str(len(configs)), str(len(configs)), "100%", "1/1", "–"])
    print(
        table(
            rows,
            [
                "method",
                "trials to 98% of grid optimum, per seed",
                "median",
                "% of grid",
                "reached",
                "best÷optimum @25/50/100",
            ],
        )
    )


if __name__ == "__main__":
    main()
