"""The simulated machine the search-logic tests stand on: it clamps as OpenVINO does, the real
handlers measure on it what its model says, its clock moves only when it runs, and its
background load hits every config alike."""

from __future__ import annotations

import time

import pytest

from autotune.core import RuntimeConfig, preset_config
from autotune.judge import throughput_of
from autotune.measure import InterleavedJob, TrialFailure, Window
from autotune.testing import SimulatedMachine, SimulatedRunner, simulated_model

MODEL = simulated_model()


def measure(runner: SimulatedRunner, config: RuntimeConfig, seconds: float = 1.0) -> dict:
    return runner.call(
        "measure_config",
        {
            "model_path": MODEL.path,
            "shape": None,
            "batch_axes": MODEL.batch_axes.to_dict(),
            "config": config.to_dict(),
            "trial_time_s": seconds,
            "percent": 90,
        },
        timeout_s=60,
    )


def test_hints_and_explicit_values_are_clamped_like_openvino() -> None:
    machine = SimulatedMachine(cores=16)
    latency = machine.effective(preset_config("LATENCY"))
    throughput = machine.effective(preset_config("THROUGHPUT"))
    assert (latency.properties["NUM_STREAMS"], latency.properties["INFERENCE_NUM_THREADS"]) == (
        "1",
        "16",
    )
    assert throughput.properties["NUM_STREAMS"] == "4" and throughput.infer_requests == 4
    asked = RuntimeConfig(hint="NONE", streams=40, threads=8, request_multiplier=2)
    clamped = machine.effective(asked)
    # streams clamped to the cores, then to the threads; requests follow the streams
    assert clamped.properties["NUM_STREAMS"] == "8" and clamped.infer_requests == 16


def test_the_handlers_measure_what_the_model_says() -> None:
    machine = SimulatedMachine(cores=16, frame_ms=8, noise=0.02)
    runner = SimulatedRunner(machine, seed=1)
    started = time.monotonic()
    for config in (preset_config("LATENCY"), preset_config("THROUGHPUT")):
        result = measure(runner, config)
        eff = machine.effective(config)
        assert result["key"] == eff.key()
        windows = [Window.from_dict(w) for w in result["measurement"]["windows"]]
        assert throughput_of(windows) == pytest.approx(machine.true_throughput(eff), rel=0.08)
        p50 = result["measurement"]["latency_ms"]["p50"]
        assert p50 == pytest.approx(machine.true_latency_ms(eff), rel=0.08)
    # seconds of simulated measurement, in well under a second of wall time: a fake clock
    assert runner.clock() >= 2.0 and time.monotonic() - started < 2.0
    # more streams, more throughput: THROUGHPUT beats LATENCY on 16 cores
    lat, tput = (machine.effective(preset_config(h)) for h in ("LATENCY", "THROUGHPUT"))
    assert machine.true_throughput(tput) > 1.5 * machine.true_throughput(lat)


def test_background_load_hits_every_config_alike() -> None:
    quiet = SimulatedMachine(cores=8)
    assert {quiet.slowdown(t) for t in (0.0, 1.5, 7.0)} == {1.0}
    busy = SimulatedMachine(cores=8, busy_period_s=1.0, busy_sigma=0.3, seed=4)
    factors = [busy.slowdown(t) for t in (0.1, 0.9, 1.1, 2.5)]
    assert factors[0] == factors[1]  # one slot, one factor, for whatever runs in it
    assert len(set(factors)) > 1  # and it changes from slot to slot


def test_an_interleaved_job_rotates_the_configs_round_by_round() -> None:
    machine = SimulatedMachine(cores=8, frame_ms=4)
    runner = SimulatedRunner(machine, seed=3)
    configs = (preset_config("LATENCY"), preset_config("THROUGHPUT"))
    job = InterleavedJob(
        model_path=MODEL.path,
        shape=None,
        batch_axes=MODEL.batch_axes.to_dict(),
        configs=configs,
        rounds=4,
        window_s=0.25,
        percent=90,
    )
    windows = job.run(runner)
    assert [[w.index for w in ws] for ws in windows] == [[0, 1, 2, 3]] * 2
    lat, tput = (machine.true_throughput(machine.effective(c)) for c in configs)
    assert all(w.throughput_fps == pytest.approx(lat, rel=0.1) for w in windows[0])
    assert all(w.throughput_fps == pytest.approx(tput, rel=0.1) for w in windows[1])
    assert job.timeout_s == pytest.approx(120 + 4 * 0.25 + 3 * 2 * 4 * 0.25)


def test_what_the_simulation_cannot_do_fails_the_trial_not_the_search() -> None:
    runner = SimulatedRunner(SimulatedMachine(), seed=0)
    with pytest.raises(TrialFailure, match="has no layers"):
        runner.call(
            "layer_counters",
            {"model_path": MODEL.path, "shape": None, "config": RuntimeConfig().to_dict()},
            timeout_s=60,
        )
