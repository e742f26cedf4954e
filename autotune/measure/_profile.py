"""Per-layer counters summarized the way the OpenVINO performance guide reads them: top layers
by time, their exec types, what was optimized out, and what the Reorders cost."""

from __future__ import annotations

from typing import Any


def summarize_layers(layers: list[dict[str, Any]], top: int = 15) -> dict[str, Any]:
    executed = [layer for layer in layers if layer["status"] == "EXECUTED"]
    total = sum(float(layer["real_ms"]) for layer in executed)
    reorders = [layer for layer in executed if layer["type"] == "Reorder"]
    reorder_ms = sum(float(layer["real_ms"]) for layer in reorders)
    by_type: dict[str, float] = {}
    for layer in executed:
        by_type[layer["type"]] = by_type.get(layer["type"], 0.0) + float(layer["real_ms"])
    ranked = sorted(executed, key=lambda layer: -float(layer["real_ms"]))[:top]
    return {
        "total_ms": total,
        "layers": len(layers),
        "executed": len(executed),
        "not_run": sum(1 for layer in layers if layer["status"] == "NOT_RUN"),
        "optimized_out": sum(1 for layer in layers if layer["status"] == "OPTIMIZED_OUT"),
        "reorders": {
            "count": len(reorders),
            "ms": reorder_ms,
            "share": reorder_ms / total if total > 0 else 0.0,
        },
        "by_type": dict(sorted(by_type.items(), key=lambda kv: -kv[1])),
        "top": [
            {**layer, "share": float(layer["real_ms"]) / total if total > 0 else 0.0}
            for layer in ranked
        ],
    }


def efficiency(
    flops_per_frame: float | None, fps: float, peak_gflops: float | None
) -> dict[str, Any]:
    """Achieved GFLOP/s of a config and its share of the machine's measured MatMul peak.

    FLOPs count convolutions and matrix products at their nominal size (2 per multiply-add);
    elementwise work is not counted, so the share is a lower bound on how busy the machine is.
    """
    if not flops_per_frame or peak_gflops is None or peak_gflops <= 0:
        return {"available": False}
    achieved = flops_per_frame * fps / 1e9
    return {
        "available": True,
        "gflop_per_frame": flops_per_frame / 1e9,
        "achieved_gflops": achieved,
        "peak_gflops": peak_gflops,
        "share": achieved / peak_gflops,
    }
