"""Configs that reserve CPU cores (ENABLE_CPU_RESERVATION) on the real runtime. OpenVINO
releases the first reservation a process makes but not the later ones, after which every
compile in the process fails ("No CPU resources available"): interleaved rounds with such
configs run each window in a worker of its own, and the worker is retired after every job that
compiled one, so the next job — the next trial of a search — compiles as if none had run."""

from __future__ import annotations

import os
from pathlib import Path

from autotune.core import SINGLE_STREAM, RuntimeConfig
from autotune.measure import InterleavedJob, IsolatedRunner

SHAPE = {"images": [1, 3, 64, 64]}
ONE_CORE = RuntimeConfig(hint="NONE", streams=1, threads=1, infer_requests=1, cpu_reservation=True)
EVERY_CORE = RuntimeConfig(
    hint="NONE", streams=1, threads=os.cpu_count(), infer_requests=1, cpu_reservation=True
)
HINT = RuntimeConfig(hint="LATENCY", infer_requests=1)


def _rounds(model: Path, configs: tuple[RuntimeConfig, ...], rounds: int = 2) -> InterleavedJob:
    return InterleavedJob(
        model_path=str(model),
        shape=SHAPE,
        batch_axes=None,
        configs=configs,
        rounds=rounds,
        window_s=0.3,
        percent=90.0,
        scenario=SINGLE_STREAM,
    )


def test_reserving_configs_get_their_rounds(tiny_model: Path, tmp_path: Path) -> None:
    with IsolatedRunner(tmp_path) as runner:
        windows = _rounds(tiny_model, (ONE_CORE, EVERY_CORE, HINT)).run(runner)
        assert len(windows) == 3
        for config in windows:
            assert [w.index for w in config] == [0, 1]
            assert all(w.throughput_fps > 0 and w.latency_ms["p90"] > 0 for w in config)
        # the job after them compiles as on a fresh machine
        again = _rounds(tiny_model, (HINT, EVERY_CORE), rounds=1).run(runner)
        assert [len(w) for w in again] == [1, 1]


def test_a_search_goes_on_after_a_reserving_trial(tiny_model: Path, tmp_path: Path) -> None:
    common = {"model_path": str(tiny_model), "shape": SHAPE, "trial_time_s": 0.5, "percent": 90.0}
    with IsolatedRunner(tmp_path) as runner:
        for config in (EVERY_CORE, EVERY_CORE, HINT, EVERY_CORE):
            payload = {**common, "config": config.to_dict(), "scenario": SINGLE_STREAM}
            measured = runner.call("measure_config", payload, timeout_s=120)["measurement"]
            assert measured["windows"] and measured["windows"][0]["throughput_fps"] > 0
