"""Dynamic models searched on the traffic's own shapes, then the exported command checked.

    python benchmarks/dynamic.py [--models ppocrv4-rec ddddocr] [--trials 16]

For each OCR recognizer (dynamic width), real text lines are rendered with Pillow at their
natural widths, one ``.npy`` per line, and searched as a user would:
``autotune search model.onnx --inputs lines/ --pad x=0 --max-latency 60ms``. The study measures
every config on requests drawn from those widths, searches the shape policy (dynamic, bounded,
buckets) and the hints run the dynamic model as users run it today. Then the
``benchmark_app`` command that ``autotune export`` prints (``-data_shape`` with the mix) runs,
interleaved with nothing else, and its p90 is compared with the p90 autotune stated.

Printed: per policy, the fastest feasible config's throughput, p90 over the mix, compile time
(all k models of a bucket policy) and peak memory; the shipped config, its ratio to the best
hint, and stated p90 vs benchmark_app's.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from _common import CACHE, StealMeter, fresh_study, header, table
from fetch_models import fetch
from int8 import WORDS

BIN = Path(sys.executable).parent


# name → (model file, input name, height, channels, --pad value, --max-latency); PP-OCR pads
# its normalised lines with 0 itself, ddddocr's lines are white (1) on the right
CASES = {
    "ppocrv4-rec": ("ppocrv4_rec.onnx", "x", 48, 3, 0.0, "60ms"),
    "ddddocr": ("ddddocr_common.onnx", "input1", 64, 1, 1.0, "200ms"),
}


def text_lines(folder: Path, height: int, channels: int, count: int = 48) -> list[int]:
    """Text lines of 1–6 words rendered at their natural width (no resizing, no padding),
    normalised (x/255 − 0.5)/0.5, NCHW, one ``.npy`` each; returns the widths."""
    from PIL import Image, ImageDraw, ImageFont

    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.npy"):
        old.unlink()
    rng = np.random.default_rng(2)
    font = ImageFont.load_default(size=height - 14)
    widths = []
    for i in range(count):
        words = " ".join(rng.choice(WORDS, size=int(rng.integers(1, 7))))
        width = max(32, int(font.getlength(words)) + int(rng.integers(8, 24)))
        canvas = Image.new("L" if channels == 1 else "RGB", (width, height), 235)
        ImageDraw.Draw(canvas).text((int(rng.integers(2, 8)), 5), words, fill=20, font=font)
        array = (np.asarray(canvas, np.float32) / 255 - 0.5) / 0.5
        array = array[None] if channels == 1 else array.transpose(2, 0, 1)
        np.save(folder / f"{i:03d}.npy", array[None])
        widths.append(width)
    return widths


def policy_rows(storage: str, study: str, limit_ms: float) -> list[list[str]]:
    """Per shape policy: the fastest config within the limit (hints apart), from the study."""
    import optuna

    from autotune.study import load_trials

    trials = [
        t
        for t in load_trials(optuna.load_study(study_name=study, storage=storage))
        if t.measured and t.config is not None
    ]
    rows = []
    groups: dict[str, list] = {}
    for t in trials:
        assert t.config is not None
        policy = t.config.shape_policy or "dynamic"
        groups.setdefault(f"{policy} (hint)" if t.preset else policy, []).append(t)
    for name, group in sorted(groups.items()):
        feasible = [t for t in group if t.constrained_latency_ms <= limit_ms]
        best = max(feasible or group, key=lambda t: t.throughput_fps)
        memory = best.memory.get("peak_delta_bytes")
        rows.append(
            [
                name,
                str(len(group)),
                best.label[:44],
                f"{best.throughput_fps:.1f}",
                f"{best.constrained_latency_ms:.2f}" + ("" if feasible else " ✘"),
                f"{best.metrics.get('compile_ms', float('nan')):.0f}",
                f"{memory / 2**20:.0f}" if memory else "–",
            ]
        )
    return rows


def benchmark_app_p90(
    study: str, storage: str, seconds: int, rounds: int
) -> tuple[list[float], str]:
    """The command `autotune export --format benchmark_app` prints, run as printed (its ``-t``
    set to ``seconds``) with ``-latency_percentile 90``: the p90 of each run."""
    exported = subprocess.run(
        [str(BIN / "autotune"), "export", "--study", study, "--storage", storage,
         "--format", "benchmark_app"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    line = exported.stdout.strip()
    if not line.startswith("benchmark_app"):
        return [], exported.stderr.strip().splitlines()[-1] if exported.stderr else "no command"
    command = shlex.split(line)
    command[0] = str(BIN / "benchmark_app")
    command[command.index("-t") + 1] = str(seconds)
    command += ["-latency_percentile", "90"]
    p90s = []
    for _ in range(rounds):
        run = subprocess.run(command, capture_output=True, text=True, timeout=seconds * 10 + 300)
        found = re.search(r"90 percentile:\s+([\d.]+) ms", run.stdout)
        if found:
            p90s.append(float(found.group(1)))
        else:
            print(run.stdout[-1500:] + run.stderr[-1500:], file=sys.stderr)
    return p90s, line


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--models", nargs="*", default=list(CASES), help=" ".join(CASES))
    parser.add_argument("--trials", type=int, default=16)
    parser.add_argument("--trial-time", default="2s")
    parser.add_argument("--ba-seconds", type=int, default=10)
    parser.add_argument("--ba-rounds", type=int, default=3)
    args = parser.parse_args()
    header(
        f"dynamic: searches on real text lines at their natural widths ({args.trials} trials × "
        f"{args.trial_time}), then the printed benchmark_app command with -data_shape"
    )
    files = fetch()
    storage = f"sqlite:///{CACHE / 'dynamic.db'}"
    summary_rows, notes = [], []
    for name in args.models:
        file, input_name, height, channels, pad, limit = CASES[name]
        lines = CACHE / "dynamic" / name / "lines"
        widths = text_lines(lines, height, channels)
        print(
            f"## {name}: {len(widths)} text lines, widths {min(widths)}…{max(widths)} "
            f"(median {statistics.median(widths):.0f})"
        )
        study = f"dynamic-{name}"
        fresh_study(study, storage)
        command = [
            str(BIN / "autotune"), "search", str(files[file]), "--inputs", str(lines),
            "--pad", f"{input_name}={pad:g}", "--max-latency", limit, "--trials", str(args.trials),
            "--trial-time", args.trial_time, "--study", study, "--storage", storage,
            "--out-dir", str(CACHE / "dynamic" / name / "study"), "--force", "--json",
        ]  # fmt: skip
        started = time.monotonic()
        with StealMeter() as steal:
            run = subprocess.run(command, capture_output=True, text=True, timeout=3600)
        elapsed = time.monotonic() - started
        if run.returncode not in (0, 3):
            raise SystemExit(f"{study}: exit {run.returncode}: {run.stderr[-2000:]}")
        summary = json.loads(run.stdout)
        limit_ms = float(limit.removesuffix("ms"))
        print(
            table(
                policy_rows(storage, study, limit_ms),
                [
                    "policy",
                    "trials",
                    "fastest feasible",
                    "FPS",
                    "p90 ms",
                    "compile ms",
                    "peak MiB",
                ],
            )
        )
        winner = summary["winner"]
        reference = summary["reference_hint"]
        ratio = summary["ratios"].get(reference) if winner and not winner["hint"] else None
        p90s, printed = benchmark_app_p90(study, storage, args.ba_seconds, args.ba_rounds)
        stated = winner["constrained_latency_ms"] if winner else None
        measured = statistics.median(p90s) if p90s else None
        summary_rows.append(
            [
                name,
                (winner["label"] if winner else "nothing")[:48],
                f"{ratio['estimate']:.2f} [{ratio['low']:.2f}, {ratio['high']:.2f}] vs {reference}"
                if ratio
                else (f"is the {reference} hint" if winner else "–"),
                f"{winner['throughput_fps']['estimate']:.1f}" if winner else "–",
                f"{stated:.2f}" if stated else "–",
                ", ".join(f"{p:.2f}" for p in p90s) or "–",
                f"{measured / stated:.3f}" if measured and stated else "–",
                f"{elapsed:.0f}s",
                f"{steal.fraction:.0%}",
            ]
        )
        notes.append(f"{study}: {summary['verdict']}\n    printed: {printed}")
        print(f"  {study}: {summary['verdict'][:240]}", file=sys.stderr)
    print()
    print(
        table(
            summary_rows,
            [
                "model",
                "shipped",
                "ratio (CI) vs best hint",
                "FPS",
                "stated p90",
                "benchmark_app p90",
                "ba ÷ stated",
                "search",
                "steal",
            ],
        )
    )
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
