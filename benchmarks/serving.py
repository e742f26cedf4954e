"""The serving question on real models: how many requests/s a config sustains under Poisson
arrivals with p99 under the limit, against the closed-loop throughput a benchmark_app-style
tuner reports for the same config — and whether the stated rate holds in a long run.

First the generator itself: the highest rate it sustains with a no-op pipeline (pure
dispatcher) and with a one-element OpenVINO model (callbacks included), so the figures below
are known not to be the generator's. Then, per model, `autotune search --scenario server` with
its defaults, and for the winner and each hint: closed-loop throughput, the stated rate (proven
on enough arrivals: how many, how many over the limit), and a separate check: 60 s of Poisson
arrivals at the stated rate (p99 should hold the limit) and at 1.15× it (p99 should miss it),
plus the time the study took.

    python benchmarks/serving.py [--models yolov8n-320 ppocrv4-rec] [--max-latency 20ms]
        [--confirm-time 240s] [--skip-generator]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from _common import CACHE, StealMeter, fresh_study, header, table
from fetch_models import model_paths

from autotune import runtime
from autotune.core import RuntimeConfig, parse_duration
from autotune.judge import RateClaim
from autotune.measure import poisson_arrivals, run_load, warm_pool

BIN = Path(sys.executable).parent
RATES = (1_000, 2_000, 5_000, 10_000, 20_000, 40_000)


class NoopPool:
    """Completes every job the moment it starts: what is left is the dispatcher."""

    def __init__(self, size: int = 4) -> None:
        self._size = size
        self._completions = runtime.Completions()  # the real pool's, so only inference is gone

    @property
    def size(self) -> int:
        return self._size

    @property
    def items(self) -> int:
        return 1

    def start(self, slot: int) -> None:
        self._completions.post(slot, time.perf_counter())

    def wait(self, deadline: float) -> list[tuple[int, float]]:
        return self._completions.wait(deadline)


def generator_ceiling() -> list[list[object]]:
    import numpy as np
    import openvino as ov
    import openvino.opset13 as ops

    x = ops.parameter([1], ov.Type.f32, name="x")
    model = ov.Model([ops.add(x, ops.constant(np.ones(1, np.float32)))], [x], "noop")
    session = runtime.CompiledSession(model, None, RuntimeConfig(hint="THROUGHPUT"))
    pools = {
        "no-op (dispatcher only)": NoopPool(),
        "1-element OpenVINO model": session.open_pool(),
    }
    rows: list[list[object]] = []
    for name, pool in pools.items():
        warm_pool(pool, time.perf_counter)
        for rate in RATES:
            point = run_load(
                pool,
                poisson_arrivals(rate, 2.0, seed=1),
                rate=rate,
                duration_s=2.0,
                clock=time.perf_counter,
                percentiles=(50, 99),
                drain_s=1.0,
            )
            rows.append(
                [
                    name,
                    rate,
                    f"{point.achieved_rate:.0f}",
                    f"{point.achieved_rate / rate:.3f}",
                    f"{point.lateness_ms:.3f}",
                    f"{point.latency_ms['p99']:.3f}",
                ]
            )
            print(f"  generator {name} @ {rate}/s: {rows[-1][2:]}", file=sys.stderr)
    session.close()
    return rows


def suite() -> dict[str, tuple[str, str]]:
    paths = model_paths()
    return {
        "yolov8n-320": (str(paths["yolov8n-nudenet"][0]), "images[1,3,320,320]"),
        "ppocrv4-rec": (str(paths["ppocrv4-rec"][0]), "x[1,3,48,320]"),
        "ppocr-cls": (str(paths["ppocr-cls"][0]), "x[1,3,48,192]"),
    }


def run_study(
    name: str, path: str, shape: str, limit: str, trials: int, trial_time: str, confirm: str
):
    storage = f"sqlite:///{CACHE / 'serving.db'}"
    study = f"{name}-server-{limit}"
    fresh_study(study, storage)
    command = [
        str(BIN / "autotune"), "search", path, "--shape", shape, "--scenario", "server",
        "--max-latency", limit, "--percentile", "99", "--trials", str(trials),
        "--trial-time", trial_time, "--confirm-time", confirm, "--study", study, "--storage", storage,
        "--out-dir", str(CACHE / "serving" / study), "--force", "--json",
    ]  # fmt: skip
    started = time.perf_counter()
    with StealMeter() as steal:
        run = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    elapsed = time.perf_counter() - started
    if run.returncode not in (0, 3):
        raise SystemExit(f"{name}: autotune exited {run.returncode}: {run.stderr[-2000:]}")
    return json.loads(run.stdout), storage, study, elapsed, steal.fraction


CHECK_S = 60.0
CHECK_OVER = 1.15


def stated_of(storage: str, study_name: str) -> list[dict]:
    """The winner and each hint: its config, stated rate and the proof behind it."""
    import optuna

    from autotune.core import BatchAxes
    from autotune.study import load_meta, open_storage, study_decision_of

    study = optuna.load_study(
        study_name=study_name, storage=open_storage(storage, heartbeat=False)
    )
    axes = BatchAxes.from_dict(load_meta(study)["model"].get("batch_axes"))
    _, _, _, _, decision = study_decision_of(study)
    shown = [decision.winner, *(c for c in decision.contenders if c.is_baseline)]
    out = []
    for c in {c.key: c for c in shown if c is not None}.values():
        out.append(
            {
                "label": c.label + (" (ships)" if c is decision.winner else ""),
                "config": c.config,
                "rate": c.stated_rate,
                "claim": c.claim,
                "axes": axes,
            }
        )
    return out


def long_run(path: str, shape: str, entry: dict, limit_ms: float) -> list[object]:
    """60 s of Poisson arrivals at the stated rate, then at 1.15× it, on a fresh session."""
    from autotune.core import parse_shape

    session = runtime.CompiledSession(
        path, parse_shape(shape), entry["config"], batch_axes=entry["axes"]
    )
    pool = session.open_pool()
    warm_pool(pool, time.perf_counter)
    cells: list[object] = []
    for factor in (1.0, CHECK_OVER):
        rate = entry["rate"] * factor
        with StealMeter() as steal:
            point = run_load(
                pool,
                poisson_arrivals(rate, CHECK_S, seed=int(factor * 100)),
                rate=rate,
                duration_s=CHECK_S,
                clock=time.perf_counter,
                percentiles=(50, 99),
                drain_s=max(0.05, 2 * limit_ms / 1e3),
                limit_ms=limit_ms,
            )
        p99 = point.latency_ms["p99"]
        verdict = "holds" if p99 <= limit_ms else "misses"
        cells.append(
            f"{p99:.1f} ms {verdict} ({point.over}/{point.requests}, steal {steal.fraction:.0%})"
        )
        print(
            f"  {entry['label']} @ {rate:.1f}/s for {CHECK_S:g} s: p99 {p99:.1f} ms",
            file=sys.stderr,
        )
    session.close()
    return cells


def proof_cell(claim: RateClaim | None) -> str:
    """What the stated rate rests on: its arrivals, the count over the limit and the bursts,
    the confidence and the proof's measured time; for a proof with no rate held, the rates it
    gave up."""
    if claim is None:
        return "no proof"
    rates = [look.rate for look in claim.looks if look.verdict in ("refuted", "unlikely")]
    gave_up = f"; gave up {rates[0]:.1f}…{rates[-1]:.1f}" if rates else ""
    if not claim.held:
        measured = f"{claim.arrivals} arr. at it" if claim.arrivals else "not measured"
        return f"{claim.status} at {claim.measured_s:.0f} s ({measured}{gave_up})"
    return (
        f"{claim.status}: {claim.arrivals} arr., {claim.over} over"
        f" (bursts {claim.evidence.spread:.1f}), {claim.plan.confidence:.0%},"
        f" {claim.measured_s:.0f} s"
    )


def curves_of(storage: str, study_name: str) -> list[dict]:
    import optuna

    from autotune.study import LOAD_CURVES_ATTR, open_storage

    study = optuna.load_study(
        study_name=study_name, storage=open_storage(storage, heartbeat=False)
    )
    return list((study.user_attrs.get(LOAD_CURVES_ATTR) or {}).get("curves", []))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="*", default=None)
    parser.add_argument("--max-latency", default="20ms")
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--trial-time", default="2s")
    parser.add_argument("--confirm-time", default="240s", help="autotune's proof budget")
    parser.add_argument("--skip-generator", action="store_true")
    args = parser.parse_args()
    header("serving: sustainable rate under Poisson arrivals (p99) vs closed-loop throughput")
    if not args.skip_generator:
        print("\ngenerator (2 s per rate):")
        print(
            table(
                generator_ceiling(),
                [
                    "pool",
                    "offered/s",
                    "achieved/s",
                    "achieved ÷ offered",
                    "lateness p99 ms",
                    "latency p99 ms",
                ],
            )  # fmt: skip
        )
    rows, checks, verdicts = [], [], []
    limit_ms = parse_duration(args.max_latency, option="--max-latency") * 1e3
    for name, (path, shape) in suite().items():
        if args.models and name not in args.models:
            continue
        summary, storage, study, elapsed, steal = run_study(
            name, path, shape, args.max_latency, args.trials, args.trial_time, args.confirm_time
        )
        verdicts.append(f"{name}: {summary['verdict']}")
        print(f"  {name}: {summary['verdict'][:160]}", file=sys.stderr)
        winner = (summary.get("winner") or {}).get("label")
        for curve in curves_of(storage, study):
            closed, rate = curve["capacity_fps"], curve["sustainable_rate"]
            ships = " (ships)" if curve["label"] == winner else ""
            rows.append(
                [
                    name,
                    curve["label"] + ships,
                    f"{closed:.1f}",
                    f"{rate:.1f}",
                    f"{rate / closed:.2f}" if closed else "–",
                    f"{elapsed:.0f}s",
                    f"{steal:.0%}",
                ]
            )
        for entry in stated_of(storage, study):
            claim = entry["claim"]
            proof = proof_cell(claim)
            cells = long_run(path, shape, entry, limit_ms) if entry["rate"] > 0 else ["–", "–"]
            checks.append(
                [name, entry["label"], f"{entry['rate']:.1f}", proof, *cells, f"{elapsed:.0f}s"]
            )
    print(f"\np99 limit {args.max_latency}, {args.trials} trials × {args.trial_time}:")
    print(
        table(
            rows,
            [
                "model",
                "config",
                "closed-loop FPS",
                "stated req/s",
                "stated ÷ closed",
                "study time",
                "steal",
            ],
        )  # fmt: skip
    )
    print(f"\nthe stated rates in {CHECK_S:g} s Poisson runs (p99, over the limit / arrivals):")
    print(
        table(
            checks,
            [
                "model",
                "config",
                "stated req/s",
                "proof",
                f"{CHECK_S:g} s p99 at it",
                f"{CHECK_S:g} s p99 at {CHECK_OVER:g}×",
                "study time",
            ],
        )  # fmt: skip
    )
    print("\nverdicts:")
    print("\n".join(verdicts))


if __name__ == "__main__":
    main()
