"""The single-stream scenario on the simulated machine: one request in flight, the study
minimizes the p90 latency, and a tuned config ships only when proven lower than every hint."""

from __future__ import annotations

from pathlib import Path

import optuna
import pytest

from autotune.core import BadInputError, RuntimeConfig
from autotune.judge import latency_figure
from autotune.testing import SimulatedMachine, simulated_model
from autotune.tuning import SearchSettings, build_space, validate_settings
from tests.tuning.simulated import run


def test_a_single_stream_search_ships_the_proven_lower_latency(tmp_path: Path) -> None:
    """bf16 halves the simulated service time: the true p90 of a bf16 config is half the f32
    hints'. The study minimizes p90; every config ran one request (the sync loop)."""
    machine = SimulatedMachine(cores=8, frame_ms=2.0, noise=0.02)
    outcome, runner = run(
        tmp_path, machine, trial_time_s=0.3, trials=8, scenario="single-stream", confirm_top=2
    )
    study = optuna.load_study(study_name="sim", storage=f"sqlite:///{tmp_path}/s.db")
    assert study.direction == optuna.study.StudyDirection.MINIMIZE
    assert study.metric_names == ["p90_latency_ms"]
    configs = [RuntimeConfig.from_dict(c["config"]) for c in runner.calls if "config" in c]
    assert configs and all(c.infer_requests == 1 and c.batch == 1 for c in configs)
    assert all(c.streams in (None, 1) for c in configs)
    decision = outcome.decision
    winner = outcome.winner
    assert winner is not None and decision.confirmed
    assert winner.figure == latency_figure(90)
    assert winner.precision == "bf16" and not winner.is_hint
    assert decision.significant
    for ratio in decision.ratios.values():
        assert ratio.high < 1  # proven lower than every hint
    assert 0.4 < decision.ratios["LATENCY"].estimate < 0.6  # the truth: 0.5
    assert "× lower p90 latency than the LATENCY hint" in decision.verdict
    # trial values are the p90 latencies the study minimized
    values = [t.value for t in study.trials if t.value is not None]
    assert min(values) == pytest.approx(winner.throughput.estimate, rel=0.2)


def test_the_single_stream_space_has_no_batch_streams_or_requests(tmp_path: Path) -> None:
    machine = SimulatedMachine(cores=8)
    model = simulated_model(str(tmp_path / "sim.xml"))
    space = build_space(
        ["CPU", "BATCH:CPU"], machine.capabilities(), model, 8, scenario="single-stream"
    )
    assert space.devices == ("CPU",) and space.batches == (1,) and space.single_stream
    assert "CUMULATIVE_THROUGHPUT" not in space.hints
    study = optuna.create_study()
    for _ in range(12):
        config = space.suggest(study.ask())
        assert config.infer_requests == 1 and config.request_multiplier == 1
        if config.hint == "NONE":
            assert config.streams == 1 and config.threads is not None
    assert "request_multiplier" not in space.preset_params(space.presets()[0])


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"scenario": "single-stream", "objective": "pareto"}, "--objective pareto"),
        ({"scenario": "single-stream", "fps": 30.0}, "--fps applies to the multi-stream"),
        ({"scenario": "multi-stream"}, "needs the frame rate"),
        ({"scenario": "multi-stream", "fps": 30.0}, "needs a latency limit"),
        ({"scenario": "multi-stream", "fps": 30.0, "streams": 0}, "--streams must be"),
    ],
)
def test_bad_scenario_options_are_one_line_errors(kw: dict, message: str) -> None:
    with pytest.raises(BadInputError, match=message):
        validate_settings(SearchSettings(model_path="m.xml", **kw))


def test_single_stream_defaults_to_p90_and_multi_stream_to_p99() -> None:
    assert SearchSettings(model_path="m.xml", scenario="single-stream").percentile == 90
    assert SearchSettings(model_path="m.xml", scenario="multi-stream").percentile == 99
