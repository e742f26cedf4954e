"""Does autotune's harness measure what benchmark_app measures?

The same configs (same device, shape, batch, requests, properties — benchmark_app gets the
exported -load_config file and command) run by both, interleaved over several rounds; prints
the throughput ratio harness ÷ benchmark_app per model and config. Target ≥ 0.95.

    python benchmarks/fidelity.py [--rounds 3] [--seconds 3]
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
from autotune.config import RuntimeConfig, preset_config
from autotune.export import benchmark_app_command
from autotune.units import format_shape
from autotune.worker import IsolatedRunner

CONFIGS = {
    "LATENCY hint": preset_config("LATENCY"),
    "THROUGHPUT hint": preset_config("THROUGHPUT"),
    "2 streams, 4 req": RuntimeConfig(hint="NONE", streams=2, threads=2, infer_requests=4),
}


def suite() -> dict[str, tuple[Path, dict[str, list[int]]]]:
    models = {"demo-cnn": (runtime.build_demo_model(CACHE / "demo" / "demo.xml"), {"images": [1, 3, 224, 224]})}
    paths = model_paths()
    for name in ("ppocr-cls", "yolov8n-nudenet"):
        path, shape = paths[name]
        info = runtime.inspect_model(path, json.loads(shape))
        models[name] = (path, info.shape or {})
    return models


def run_benchmark_app(model: Path, shape: dict, cfg: RuntimeConfig, effective_requests: int, seconds: int) -> float:
    doc = {"model": str(model), "device": cfg.target_device, "shape": shape,
           "properties": {cfg.target_device: cfg.properties()}, "infer_requests": effective_requests}
    with tempfile.TemporaryDirectory() as tmp:
        config_path = Path(tmp) / "config.json"
        config_path.write_text(json.dumps(doc["properties"]))
        command, reason = benchmark_app_command(doc, str(config_path), seconds)
        assert command, reason
        command[0] = str(Path(sys.executable).with_name("benchmark_app"))
        out = subprocess.run(command, capture_output=True, text=True, timeout=seconds * 10 + 60)
    match = re.search(r"Throughput:\s+([\d.]+) FPS", out.stdout)
    if not match:
        raise SystemExit(f"benchmark_app failed: {out.stdout[-800:]} {out.stderr[-800:]}")
    return float(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=3, help="per run, both tools")
    args = parser.parse_args()
    header("fidelity: autotune harness vs benchmark_app (throughput ratio, interleaved)")
    rows = []
    with IsolatedRunner() as runner, StealMeter() as steal:
        for model_name, (path, shape) in suite().items():
            for config_name, cfg in CONFIGS.items():
                harness, reference, steals = [], [], []
                for _ in range(args.rounds):
                    with StealMeter() as s1:
                        result = runner.call("measure_config", {
                            "model_path": str(path), "shape": shape, "config": cfg.to_dict(),
                            "trial_time_s": float(args.seconds), "percent": 90,
                        }, timeout_s=300)
                    windows = result["measurement"]["windows"]
                    harness.append(result["measurement"]["throughput_fps"])
                    requests = result["effective"]["infer_requests"]
                    with StealMeter() as s2:
                        reference.append(run_benchmark_app(path, shape, cfg, requests, args.seconds))
                    steals += [s1.fraction, s2.fraction]
                ratios = [h / r for h, r in zip(harness, reference, strict=True)]
                rows.append([
                    model_name, format_shape(shape), config_name, f"{statistics.median(reference):.1f}",
                    f"{statistics.median(harness):.1f}", f"{statistics.median(ratios):.3f}",
                    f"{min(ratios):.3f}–{max(ratios):.3f}", f"{max(steals):.0%}", len(windows),
                ])
                print(f"  {model_name} {config_name}: ratio {statistics.median(ratios):.3f}", file=sys.stderr)
    print(table(rows, ["model", "shape", "config", "benchmark_app FPS", "harness FPS", "ratio", "range", "max steal", "windows"]))
    all_ratios = [float(r[5]) for r in rows]
    print(f"\nmedian ratio over all rows {statistics.median(all_ratios):.3f}, min {min(all_ratios):.3f} "
          f"(target ≥ 0.95); machine steal during the run {steal.fraction:.1%}")


if __name__ == "__main__":
    main()
