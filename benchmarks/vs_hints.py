"""What a new user gets: `autotune search` with its defaults on real models, at a latency limit
between the two hints' latencies and at a loose one, then the benchmark_app command that
`autotune export --format benchmark_app` prints, run as printed.

Per run it prints what shipped, its ratio to the best hint that meets the limit with the
interval and the rounds behind it, whether the gain is significant, and how the printed
benchmark_app command reproduces the shipped config: its FPS ÷ the confirmed figure, and ÷
autotune re-measuring the same config interleaved with it (the machine's speed drifts over
minutes; the second ratio separates the command's fidelity from that drift).

Limits come from each model's own hints, measured first: "between" is the geometric mean of
the LATENCY and THROUGHPUT hints' p90 (when THROUGHPUT's is at least 20 % higher, else 1.5×
LATENCY's), "loose" is 3× the higher of the two.

    python benchmarks/vs_hints.py [--models yolov8n-416 ppocr-cls] [--trials 30] [--trial-time 2s]
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from _common import CACHE, StealMeter, fresh_study, header, table
from fetch_models import model_paths

from autotune import runtime
from autotune.core import format_shape, parse_shape, preset_config
from autotune.deploy import load_config
from autotune.judge import constrained_latency, throughput_of
from autotune.measure import IsolatedRunner, Window
from tests.models import byte_classifier

BIN = Path(sys.executable).parent


def byte_samples(folder: Path, count: int = 32, length: int = 256) -> Path:
    """The first bytes of real files (the Python standard library: source, bytecode, shared
    objects, data), as int32 samples for the byte classifier's accuracy guard."""
    folder.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in Path(sys.base_prefix, "lib").rglob("*") if p.is_file())
    step = max(1, len(files) // count)
    for i, path in enumerate(files[::step][:count]):
        data = path.read_bytes()[:length].ljust(length, b"\0")
        np.save(folder / f"{i:03d}.npy", np.frombuffer(data, np.uint8).astype(np.int32))
    return folder


def suite() -> dict[str, tuple[str, str, str | None]]:
    """name → (model path, --shape, --inputs folder or None for autotune's random samples)."""
    paths = model_paths()
    models: dict[str, tuple[str, str, str | None]] = {
        "yolov8n-416": (str(paths["yolov8n-nudenet"][0]), "images[1,3,416,416]", None),
    }
    for name in ("ppocrv4-det", "ppocrv4-rec", "ppocr-cls"):
        path, shape = paths[name]
        info = runtime.inspect_model(path, json.loads(shape), batch_sizes=(), auto_batch=False)
        models[name] = (str(path), format_shape(info.shape or {}), None)
    bytes_model = byte_classifier(CACHE / "bytes" / "byte_classifier.xml")
    models["bytes-int32"] = (
        str(bytes_model),
        "bytes[1,256]",
        str(byte_samples(CACHE / "bytes" / "samples")),
    )
    return models


def hint_p90(runner: IsolatedRunner, path: str, shape: str, hint: str) -> float:
    result = runner.call(
        "measure_config",
        {
            "model_path": path,
            "shape": parse_shape(shape),
            "config": preset_config(hint).to_dict(),
            "trial_time_s": 2.0,
            "percent": 90,
        },
        timeout_s=300,
    )
    return constrained_latency([Window.from_dict(w) for w in result["measurement"]["windows"]], 90)


def limits_for(latency_p90: float, throughput_p90: float) -> dict[str, float]:
    between = (
        math.sqrt(latency_p90 * throughput_p90)
        if throughput_p90 > 1.2 * latency_p90
        else 1.5 * latency_p90
    )
    return {"between": between, "loose": 3 * max(latency_p90, throughput_p90)}


def reproduce(
    study: str, storage: str, config_file: Path, seconds: int, rounds: int
) -> tuple[float | None, float | None, str]:
    """Run the benchmark_app command that `autotune export` prints, interleaved with autotune
    re-measuring the shipped config for as long: (benchmark_app's median FPS, the harness's
    median FPS over the same rounds, the command). The machine's speed drifts over minutes, so
    the re-measure tells the command's fidelity apart from that drift."""
    exported = subprocess.run(
        [str(BIN / "autotune"), "export", "--study", study, "--storage", storage,
         "--format", "benchmark_app"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    line = exported.stdout.strip()  # the command alone (notes and "wrote …" go to stderr)
    if not line.startswith("benchmark_app"):
        return None, None, exported.stderr.strip() or "no command"
    command = shlex.split(line)
    command[0] = str(BIN / "benchmark_app")
    command[command.index("-t") + 1] = str(seconds)
    config = load_config(config_file)
    payload = {
        "model_path": config.model,
        "shape": config.base_shape,
        "batch_axes": config.batch_axes.to_dict(),
        "config": config.runtime_config.to_dict(),
        "trial_time_s": float(seconds),
        "percent": 90,
    }
    ba, harness = [], []
    with IsolatedRunner() as runner:
        for _ in range(rounds):
            run = subprocess.run(
                command, capture_output=True, text=True, timeout=seconds * 10 + 120
            )
            found = re.search(r"Throughput:\s+([\d.]+) FPS", run.stdout)
            if found:
                ba.append(float(found.group(1)))
            result = runner.call("measure_config", payload, timeout_s=300)
            windows = [Window.from_dict(w) for w in result["measurement"]["windows"]]
            harness.append(throughput_of(windows))
    return (statistics.median(ba) if ba else None), statistics.median(harness), line


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--models",
        nargs="*",
        help="subset of: yolov8n-416 ppocrv4-det ppocrv4-rec ppocr-cls bytes-int32",
    )
    parser.add_argument("--limits", nargs="*", default=["between", "loose"])
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--trial-time", default="2s")
    parser.add_argument(
        "--ba-seconds", type=int, default=8, help="each run of the printed benchmark_app command"
    )
    parser.add_argument(
        "--ba-rounds", type=int, default=3, help="runs, interleaved with autotune re-measuring"
    )
    args = parser.parse_args()
    header(
        f"vs_hints: autotune search as a new user runs it ({args.trials} trials × {args.trial_time}), then the printed benchmark_app command"
    )
    storage = f"sqlite:///{CACHE / 'vs_hints.db'}"
    models = suite()
    rows, verdicts = [], []
    for name in args.models or list(models):
        path, shape, inputs = models[name]
        with IsolatedRunner() as runner:
            lat, tput = (
                hint_p90(runner, path, shape, "LATENCY"),
                hint_p90(runner, path, shape, "THROUGHPUT"),
            )
        print(
            f"  {name}: LATENCY hint p90 {lat:.3g} ms, THROUGHPUT hint p90 {tput:.3g} ms",
            file=sys.stderr,
        )
        for which, limit_ms in limits_for(lat, tput).items():
            if which not in args.limits:
                continue
            study = f"{name}-{which}"
            fresh_study(study, storage)
            command = [
                str(BIN / "autotune"),
                "search",
                path,
                "--shape",
                shape,
                "--max-latency",
                f"{limit_ms:.3g}ms",
                "--trials",
                str(args.trials),
                "--trial-time",
                args.trial_time,
                "--study",
                study,
                "--storage",
                storage,
                "--out-dir",
                str(CACHE / "vs_hints" / study),
                "--force",
                "--json",
            ]
            if inputs:
                command += ["--inputs", inputs]
            started = time.monotonic()
            with StealMeter() as steal:
                run = subprocess.run(command, capture_output=True, text=True, timeout=3600)
            elapsed = time.monotonic() - started
            if run.returncode not in (0, 3):
                raise SystemExit(f"{study}: exit {run.returncode}: {run.stderr[-1500:]}")
            summary = json.loads(run.stdout)
            winner = summary["winner"]
            reference = summary["reference_hint"]
            ratio = (
                summary["ratios"].get(reference)
                if reference and winner and not winner["hint"]
                else None
            )
            fps, now, printed = (
                reproduce(
                    study,
                    storage,
                    CACHE / "vs_hints" / study / "best_config.json",
                    args.ba_seconds,
                    args.ba_rounds,
                )
                if winner
                else (None, None, "")
            )
            confirmed = winner["throughput_fps"]["estimate"] if winner else None
            rows.append(
                [
                    name,
                    f"{which} {limit_ms:.3g} ms",
                    (winner["label"] if winner else "nothing (exit 3)")[:48],
                    f"{ratio['estimate']:.2f} [{ratio['low']:.2f}, {ratio['high']:.2f}] vs {reference}"
                    if ratio
                    else (f"1.00 (is the {reference} hint)" if winner and winner["hint"] else "–"),
                    f"{ratio['confidence']:.1%}, {ratio['n']}" if ratio else "–",
                    "yes" if summary["significant"] else "no",
                    f"{confirmed:.1f}" if confirmed else "–",
                    f"{fps:.1f} ({fps / confirmed:.3f})"
                    if fps and confirmed
                    else ("cannot run" if winner else "–"),
                    f"{now:.1f} ({fps / now:.3f})" if fps and now else "–",
                    summary["trials"],
                    f"{elapsed:.0f}s",
                    f"{steal.fraction:.0%}",
                ]
            )
            verdicts.append(
                f"{study}: {summary['verdict']}" + (f"\n    printed: {printed}" if printed else "")
            )
            for finding in summary["findings"]:
                verdicts.append(f"    · {finding}")
            print(f"  {study}: {summary['verdict'][:200]}", file=sys.stderr)
    print(
        table(
            rows,
            [
                "model",
                "p90 limit",
                "shipped",
                "× best hint [interval]",
                "confidence, rounds",
                "significant",
                "confirmed FPS",
                "benchmark_app FPS (÷ confirmed)",
                "harness now (benchmark_app ÷ it)",
                "trials",
                "time",
                "steal",
            ],
        )
    )
    print("\nverdicts:")
    print("\n".join(verdicts))


if __name__ == "__main__":
    main()
