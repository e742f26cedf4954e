"""The latency scenarios on real models, checked against benchmark_app (docs/latency.md).

Single-stream: `autotune search --scenario single-stream` per model, then the benchmark_app
command `autotune export --format benchmark_app` prints (sync API, one request) run
interleaved with `benchmark_app -hint latency -api sync -nireq 1` on the same model and shape.
One row per model: what shipped, the judge's p90 ratio (shipped ÷ LATENCY hint) with its
interval, and benchmark_app's p90 ratio (median of the per-round ratios, with their range).
Where a tuned config ships, its interval must lie below 1; either way, benchmark_app's ratio
should be at most about 1.

Multi-stream: `--scenario multi-stream --fps 30 --max-latency 50ms` on nudenet: the cameras
held at p99 ≤ 50 ms by the winner and each hint, then a 60 s run of the winner at that count
and at one more (p99, frames dropped, held or not).

The sub-0.1 ms model is built here (tests/models.py's speech_step_model, ~30 µs); the others
come from benchmarks/fetch_models.py.

    python benchmarks/latency.py [--models micro ppocrv4-rec yolov8n-nudenet] [--trials 20]
        [--trial-time 2s] [--rounds 6] [--seconds 10] [--no-multi] [--check-seconds 60]
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import statistics
import subprocess
import sys
from pathlib import Path

from _common import CACHE, header, table
from fetch_models import model_paths

from autotune import runtime
from autotune.core import format_shape
from autotune.deploy import load_config
from tests.models import speech_step_model

BIN = Path(sys.executable).parent
STORAGE = f"sqlite:///{CACHE / 'latency' / 'studies.db'}"
FPS, LIMIT = 30.0, "50ms"


def suite(names: list[str]) -> dict[str, tuple[str, str | None]]:
    """name → (model path, --shape or None)."""
    out: dict[str, tuple[str, str | None]] = {}
    if "micro" in names:
        out["micro"] = (str(speech_step_model(CACHE / "micro" / "speech_step.xml")), None)
    paths = model_paths()
    for name in (n for n in names if n != "micro"):
        path, shape = paths[name]
        info = runtime.inspect_model(path, json.loads(shape), batch_sizes=(), auto_batch=False)
        out[name] = (str(path), format_shape(info.shape or {}))
    return out


def autotune(*args: str, timeout: int = 7200) -> subprocess.CompletedProcess[str]:
    run = subprocess.run(
        [str(BIN / "autotune"), *args], capture_output=True, text=True, timeout=timeout
    )
    if run.returncode not in (0, 3):
        raise SystemExit(f"autotune {args[0]}: exit {run.returncode}: {run.stderr[-1500:]}")
    return run


def search(study: str, path: str, shape: str | None, extra: list[str], a: argparse.Namespace):
    command = ["search", path, *(["--shape", shape] if shape else []), "--device", "CPU"]
    command += ["--trials", str(a.trials), "--trial-time", a.trial_time, "--study", study]
    command += ["--storage", STORAGE, "--out-dir", str(CACHE / "latency" / study), "--force"]
    return json.loads(autotune(*command, *extra, "--json").stdout)


def p90_ms(command: list[str]) -> float:
    run = subprocess.run(command, capture_output=True, text=True, timeout=600)
    found = re.search(r"90 percentile:\s+([\d.]+) (us|ms)", run.stdout)
    if not found:
        raise SystemExit(f"benchmark_app failed: {run.stdout[-800:]} {run.stderr[-800:]}")
    value = float(found.group(1))
    return value / 1000 if found.group(2) == "us" else value


def benchmark_app_ratio(study: str, rounds: int, seconds: int) -> tuple[float, float, float, str]:
    """The exported command against `-hint latency -api sync -nireq 1` (same model, shape and
    layout, no -load_config), interleaved: (median p90 ratio, lowest, highest, the command)."""
    line = autotune("export", "--study", study, "--storage", STORAGE, "--format",
                    "benchmark_app").stdout.strip()  # fmt: skip
    shipped = shlex.split(line)
    shipped[0] = str(BIN / "benchmark_app")
    shipped[shipped.index("-t") + 1] = str(seconds)
    hint = list(shipped)
    hint[hint.index("-hint") + 1] = "latency"
    hint[hint.index("-d") + 1] = "CPU"  # the hint as users run it, on the real device
    at = hint.index("-load_config")
    del hint[at : at + 2]
    ratios = []
    for r in range(rounds):
        first, second = (shipped, hint) if r % 2 == 0 else (hint, shipped)
        a, b = p90_ms(first), p90_ms(second)
        ratios.append(a / b if first is shipped else b / a)
    return statistics.median(ratios), min(ratios), max(ratios), line


def single_stream(a: argparse.Namespace) -> list[list[str]]:
    rows = []
    for name, (path, shape) in suite(a.models).items():
        study = f"single-{name}"
        print(f"single-stream search: {name}", file=sys.stderr)
        summary = search(study, path, shape, ["--scenario", "single-stream"], a)
        winner = summary["winner"]
        ratio = summary["ratios"].get("LATENCY")
        judged = (
            f"{ratio['estimate']:.2f} [{ratio['low']:.2f}, {ratio['high']:.2f}]"
            if ratio and ratio.get("low") is not None
            else "–"
        )
        median, low, high, _ = benchmark_app_ratio(study, a.rounds, a.seconds)
        rows.append(
            [
                name,
                ("hint: " if winner["hint"] else "tuned: ") + winner["label"][:44],
                judged + (" (significant)" if summary["significant"] else ""),
                f"{median:.2f} [{low:.2f}–{high:.2f}]",
            ]
        )
    return rows


def hold_check(study: str, sources: int, seconds: float, hint: str | None = None) -> list[str]:
    """The shipped config (or the hint preset ``hint``) with ``sources`` cameras for
    ``seconds``: p99, dropped, held."""
    from autotune.measure import IsolatedRunner

    config = load_config(CACHE / "latency" / study / "best_config.json")
    runtime_config = (
        config.runtime_config.to_dict() if hint is None else {"hint": hint, "preset": hint}
    )
    limit_ms = float(LIMIT.removesuffix("ms"))
    payload = {
        "model_path": config.model,
        "shape": config.base_shape,
        "batch_axes": config.batch_axes.to_dict(),
        "config": runtime_config,
        # the fixed-count window is 3/4 of the trial time (after a quarter for the ceiling)
        "trial_time_s": seconds / 0.75,
        "percent": 99.0,
        "scenario": "multi-stream",
        "fps": FPS,
        "streams": sources,
        "latency_limit_ms": limit_ms,
    }
    with IsolatedRunner() as runner:
        result = runner.call("measure_config", payload, timeout_s=seconds * 4 + 300)
    point = result["measurement"]["points"][0]
    p99 = point["latency_ms"]["p99"]
    held = point["dropped"] == 0 and p99 <= limit_ms
    return [
        hint or "shipped",
        str(sources),
        f"{point['wall_s']:.0f} s",
        f"{p99:.1f} ms",
        str(point["dropped"]),
        "held" if held else "NOT held",
    ]


def multi_stream(a: argparse.Namespace) -> tuple[list[list[str]], list[list[str]]]:
    path, _ = model_paths()["yolov8n-nudenet"]
    study = "multi-nudenet"
    print("multi-stream search: nudenet", file=sys.stderr)
    extra = ["--scenario", "multi-stream", "--fps", f"{FPS:g}", "--max-latency", LIMIT]
    summary = search(study, str(path), "images[1,3,320,320]", extra, a)
    counts = [[r["role"], r["label"][:48], f"{r['throughput_fps']:.0f}"] for r in summary["rows"]]
    held = int(summary["winner"]["throughput_fps"]["estimate"])
    checks = [hold_check(study, k, a.check_seconds) for k in (held, held + 1)]
    for row in summary["rows"]:  # each hint at the count it held, and one more
        hint = row["role"].removesuffix(" hint")
        shown = row["role"].endswith(" hint") and not row["role"].startswith("winner")
        if shown and (count := int(row["throughput_fps"])) > 0:
            checks += [hold_check(study, k, a.check_seconds, hint) for k in (count, count + 1)]
    return counts, checks


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--models", nargs="+", default=["micro", "ppocrv4-rec", "yolov8n-nudenet"])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--trial-time", default="2s")
    parser.add_argument("--rounds", type=int, default=6, help="benchmark_app rounds per model")
    parser.add_argument("--seconds", type=int, default=10, help="each benchmark_app run")
    parser.add_argument("--no-multi", action="store_true")
    parser.add_argument("--check-seconds", type=float, default=60.0)
    a = parser.parse_args()
    header("latency: single-stream vs the LATENCY hint, multi-stream cameras held")
    if a.models:
        rows = single_stream(a)
        print("\n## single-stream (p90 ratio: shipped ÷ LATENCY hint; below 1 is faster)")
        print(table(rows, ["model", "shipped", "p90 ratio [interval]", "benchmark_app ratio"]))
    if not a.no_multi:
        counts, checks = multi_stream(a)
        print(f"\n## multi-stream: nudenet, {FPS:g} FPS per camera, p99 ≤ {LIMIT}")
        print(table(counts, ["role", "config", "cameras held"]))
        print(f"\n## {a.check_seconds:g} s at that count and one more (winner and hints)")
        print(table(checks, ["config", "cameras", "run", "p99", "dropped", "verdict"]))


if __name__ == "__main__":
    main()
