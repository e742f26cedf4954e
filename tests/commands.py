"""The `autotune search` arguments the end-to-end tests share: the small test CNN at 64×64 on
CPU, short trials, a storage and output folder of the test's own."""

from __future__ import annotations

from pathlib import Path


def search_args(
    model: str | Path,
    storage: str,
    out: str | Path,
    *extra: str,
    trials: int = 3,
    trial_time: str = "0.2s",
    shape: str | None = "images[1,3,64,64]",
) -> list[str]:
    """``search MODEL --shape … --device CPU --trials N --trial-time T --storage S --out-dir O``."""
    args = ["search", str(model)]
    if shape:
        args += ["--shape", shape]
    args += ["--device", "CPU", "--trials", str(trials), "--trial-time", trial_time]
    return [*args, "--storage", storage, "--out-dir", str(out), *extra]
