"""Multi-stream on the real runtime: a handful of cameras on a small model are held, latency
counted from each frame's due time; the count search stops at a number the closed loop could
feed, no more."""

from __future__ import annotations

from pathlib import Path

from autotune.measure import HANDLERS

SHAPE = {"images": [1, 3, 64, 64]}
FPS = 200.0  # per source: a few sources already ask for a good share of the model's ceiling


def test_cameras_on_the_real_runtime(tiny_model: Path) -> None:
    common = {
        "model_path": str(tiny_model),
        "shape": SHAPE,
        "config": {"hint": "LATENCY"},
        "trial_time_s": 1.0,
        "percent": 99.0,
        "scenario": "multi-stream",
        "fps": FPS,
        "latency_limit_ms": 20.0,
    }
    fixed = HANDLERS["measure_config"](**common, streams=2)
    m = fixed["measurement"]
    point = m["points"][0]
    assert point["dropped"] == 0 and point["completed"] == point["requests"] >= 200
    assert abs(point["achieved_rate"] / (2 * FPS) - 1) < 0.1  # two cameras at 200 FPS
    assert m["windows"][0]["latency_ms"]["p99"] < 20.0
    counted = HANDLERS["measure_config"](**common)["measurement"]
    held = counted["sources_held"]
    assert held >= 1 and counted["windows"][0]["throughput_fps"] == held
    # never more cameras than the closed loop's ceiling could feed
    assert held * FPS <= 1.1 * counted["capacity_fps"]
    assert counted["windows"][0]["latency_ms"]["p99"] <= 20.0
