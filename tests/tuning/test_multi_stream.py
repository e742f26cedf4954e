"""The multi-stream scenario through the search on the simulated machine: every trial counts
the sources it holds at the limit, the judge compares counts (higher is better) and the
confirmation counts again in interleaved rounds."""

from __future__ import annotations

import math
from pathlib import Path

import optuna

from autotune.core import EffectiveConfig, RuntimeConfig
from autotune.judge import SOURCES_HELD
from autotune.report import latency_info
from autotune.testing import SimulatedMachine
from tests.tuning.simulated import run

FPS = 30.0
LIMIT_S = 0.2


def _bound(machine: SimulatedMachine, effective: EffectiveConfig) -> float:
    """The most sources a config could feed at all: its streams' capacity ÷ the frame rate."""
    streams = min(int(effective.properties["NUM_STREAMS"]), effective.infer_requests)
    return streams * 1e3 / machine.service_ms(effective) / FPS


def test_a_multi_stream_search_counts_the_sources_each_config_holds(tmp_path: Path) -> None:
    machine = SimulatedMachine(cores=8, frame_ms=20.0, noise=0.02)
    outcome, _ = run(
        tmp_path,
        machine,
        trial_time_s=0.5,
        trials=6,
        scenario="multi-stream",
        fps=FPS,
        max_latency_s=LIMIT_S,
        confirm_top=1,
        confirm_rounds=6,
        max_rounds=6,
    )
    study = optuna.load_study(study_name="sim", storage=f"sqlite:///{tmp_path}/s.db")
    assert study.direction == optuna.study.StudyDirection.MAXIMIZE
    assert study.metric_names == ["sources_held"]
    decision = outcome.decision
    assert decision.winner is not None and decision.winner.figure == SOURCES_HELD
    for config in outcome.configs:
        held = config.throughput_fps  # the figure: sources held
        assert held == int(held) and held >= 1
        bound = _bound(machine, config.effective)
        assert held <= math.ceil(bound)  # never more than the streams can feed
        assert held >= 0.6 * bound  # and not far below (the limit is generous here)
    hints = [c for c in decision.contenders if c.is_baseline]
    best_hint = max(h.throughput.estimate for h in hints)
    assert decision.winner.throughput.estimate >= best_hint * 0.95
    assert "sources held" in decision.verdict or decision.shipped_hint


def test_a_fixed_count_judges_the_latency_at_it(tmp_path: Path) -> None:
    machine = SimulatedMachine(cores=8, frame_ms=20.0, noise=0.02)
    outcome, runner = run(
        tmp_path,
        machine,
        trial_time_s=0.5,
        trials=4,
        scenario="multi-stream",
        fps=FPS,
        streams=4,
        confirm_top=1,
        confirm_rounds=6,
        max_rounds=6,
    )
    assert all(c["streams"] == 4 and c["fps"] == FPS for c in runner.calls if "streams" in c)
    study = optuna.load_study(study_name="sim", storage=f"sqlite:///{tmp_path}/s.db")
    assert study.direction == optuna.study.StudyDirection.MINIMIZE  # the p99 at 4 sources
    winner = outcome.decision.winner
    assert winner is not None and winner.figure.name == "p99 latency"
    # a frame waits at most for the other three, so p99 ≤ 4 service times of its config
    config = next(c for c in outcome.configs if c.key == winner.key)
    assert winner.throughput.estimate <= 4.5 * machine.service_ms(config.effective)
    assert (
        RuntimeConfig.from_dict(next(c for c in runner.calls if "config" in c)["config"]).batch
        == 1
    )
    # the report draws each config's latency distribution at the four sources
    drawn = latency_info(outcome.trials, outcome.decision, 99.0, None)
    assert drawn is not None and any(c.role.startswith("winner") for c in drawn.curves)
