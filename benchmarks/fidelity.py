"""Does autotune's harness measure what benchmark_app measures?

The same configs (same device, shape, batch, requests, API, properties — benchmark_app gets
the exported -load_config file and the exact command `autotune export` prints) run by both,
interleaved over several rounds. Prints, per model and config, the median throughput of each
tool and their ratio (harness ÷ benchmark_app, both medians over the same rounds), the range of
the per-round ratios, and the p90 latency of each. Targets: FPS ratio ≥ 0.95 and p90 within
10 % on every row.

    python benchmarks/fidelity.py [--rounds 3] [--seconds 3] [--models micro ppocr-cls]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import CACHE, StealMeter, header, table
from fetch_models import model_paths

from autotune import runtime
from autotune.core import ModelInfo, RuntimeConfig, format_shape, preset_config
from autotune.deploy import batch_layout, benchmark_app_command, deploy_shape
from autotune.judge import throughput_of
from autotune.measure import IsolatedRunner, Window
from tests.models import speech_step_model

CONFIGS = {
    "LATENCY hint": preset_config("LATENCY"),
    "THROUGHPUT hint": preset_config("THROUGHPUT"),
    "2 streams, 4 req": RuntimeConfig(hint="NONE", streams=2, threads=2, infer_requests=4),
}


def suite() -> dict[str, ModelInfo]:
    """The models, inspected as a search inspects them (their batch axes found and proven, so
    the exported command carries the same -shape and -layout as a study's export)."""
    micro = speech_step_model(CACHE / "micro" / "speech_step.xml")
    shapes: dict[str, tuple[str | Path, dict[str, list[int]] | None]] = {
        "micro 2-input (<0.1 ms)": (micro, None),
        "demo-cnn": (
            runtime.build_demo_model(CACHE / "demo" / "demo.xml"),
            {"images": [1, 3, 224, 224]},
        ),
    }
    paths = model_paths()
    for name in ("ppocr-cls", "yolov8n-nudenet"):
        path, shape = paths[name]
        shapes[name] = (path, json.loads(shape))
    return {
        name: runtime.inspect_model(path, shape, auto_batch=False)
        for name, (path, shape) in shapes.items()
    }


def _ms(value: str, unit: str) -> float:
    return float(value) / 1000 if unit == "us" else float(value)


def run_benchmark_app(
    info: ModelInfo, cfg: RuntimeConfig, effective_requests: int, seconds: int
) -> tuple[float, float]:
    """(FPS, p90 ms) from the command `autotune export --format benchmark_app` prints."""
    model = info.to_dict()
    doc = {
        "model": info.path,
        "device": cfg.target_device,
        "shape": deploy_shape(model, cfg.batch),
        "batch_axes": batch_layout(model, cfg.batch),
        "properties": {cfg.target_device: cfg.properties()},
        "infer_requests": effective_requests,
    }
    with tempfile.TemporaryDirectory() as tmp:
        config_path = Path(tmp) / "config.json"
        config_path.write_text(json.dumps(doc["properties"]))
        command, reason = benchmark_app_command(doc, str(config_path), seconds)
        assert command, reason
        command[0] = str(Path(sys.executable).with_name("benchmark_app"))
        command += ["-latency_percentile", "90"]
        out = subprocess.run(command, capture_output=True, text=True, timeout=seconds * 10 + 60)
    fps = re.search(r"Throughput:\s+([\d.]+) FPS", out.stdout)
    p90 = re.search(r"90 percentile:\s+([\d.]+) (us|ms)", out.stdout)
    if not fps or not p90:
        raise SystemExit(f"benchmark_app failed: {out.stdout[-800:]} {out.stderr[-800:]}")
    return float(fps.group(1)), _ms(p90.group(1), p90.group(2))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=3, help="per run, both tools")
    parser.add_argument("--models", nargs="*", help="subset of the suite (names as printed)")
    args = parser.parse_args()
    header("fidelity: autotune harness vs benchmark_app (interleaved rounds; FPS and p90 medians)")
    rows = []
    models = suite()
    with IsolatedRunner() as runner, StealMeter() as steal:
        for model_name in args.models or list(models):
            info = models[model_name]
            for config_name, cfg in CONFIGS.items():
                harness, reference, h90, r90, steals = [], [], [], [], []
                for _ in range(args.rounds):
                    with StealMeter() as s1:
                        result = runner.call(
                            "measure_config",
                            {
                                "model_path": info.path,
                                "shape": info.shape,
                                "batch_axes": info.batch_axes.to_dict(),
                                "config": cfg.to_dict(),
                                "trial_time_s": float(args.seconds),
                                "percent": 90,
                            },
                            timeout_s=300,
                        )
                    m = result["measurement"]
                    harness.append(throughput_of([Window.from_dict(w) for w in m["windows"]]))
                    h90.append(m["latency_ms"]["p90"])
                    requests = result["effective"]["infer_requests"]
                    with StealMeter() as s2:
                        fps, p90 = run_benchmark_app(info, cfg, requests, args.seconds)
                    reference.append(fps)
                    r90.append(p90)
                    steals += [s1.fraction, s2.fraction]
                ratio = statistics.median(harness) / statistics.median(reference)
                per_round = [h / r for h, r in zip(harness, reference, strict=True)]
                p90_ratio = statistics.median(h90) / statistics.median(r90)
                rows.append(
                    [
                        model_name,
                        format_shape(info.shape or {}),
                        config_name,
                        requests,
                        f"{statistics.median(reference):.1f}",
                        f"{statistics.median(harness):.1f}",
                        f"{ratio:.3f}",
                        f"{min(per_round):.3f}–{max(per_round):.3f}",
                        f"{statistics.median(r90):.4g}",
                        f"{statistics.median(h90):.4g}",
                        f"{p90_ratio:.3f}",
                        f"{max(steals):.0%}",
                    ]
                )
                print(
                    f"  {model_name} {config_name}: FPS ratio {ratio:.3f}, p90 ratio {p90_ratio:.3f}",
                    file=sys.stderr,
                )
    print(
        table(
            rows,
            [
                "model",
                "shape",
                "config",
                "req",
                "benchmark_app FPS",
                "harness FPS",
                "FPS ratio",
                "per-round",
                "benchmark_app p90 ms",
                "harness p90 ms",
                "p90 ratio",
                "max steal",
            ],
        )
    )
    fps_ratios = [float(r[6]) for r in rows]
    p90_ratios = [float(r[10]) for r in rows]
    print(
        f"\nFPS ratio: median {statistics.median(fps_ratios):.3f}, min {min(fps_ratios):.3f} (target ≥ 0.95); "
        f"p90 ratio: {min(p90_ratios):.3f}–{max(p90_ratios):.3f} (target 0.90–1.10); "
        f"machine steal during the run {steal.fraction:.1%}"
    )


if __name__ == "__main__":
    main()
