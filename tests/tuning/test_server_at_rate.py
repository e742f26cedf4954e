"""The server scenario at a fixed rate (--objective latency --rate R) on the simulated machine:
every config takes Poisson arrivals at R, the figure is the p99 latency there (lower is better),
windows hold enough arrivals for a p99, no sustainable rate is searched or proven, and a rate
the config cannot sustain shows in its latency."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from autotune.core import BadInputError
from autotune.report import latency_info
from autotune.testing import SimulatedMachine
from autotune.tuning import SearchSettings
from autotune.tuning._checks import validate_settings
from tests.tuning.simulated import run

MACHINE = SimulatedMachine(cores=8, frame_ms=6.0, precision_speed={"f32": 1.0})
RATE = 150.0  # req/s: well within what the faster configs sustain (8 cores, 6 ms a frame)


def search(tmp_path: Path, **kw: Any) -> tuple[Any, Any]:
    return run(
        tmp_path,
        MACHINE,
        trials=6,
        scenario="server",
        objective="latency",
        rate=RATE,
        confirm_rounds=4,
        max_rounds=4,
        confirm_top=1,
        **kw,
    )


def test_the_lowest_p99_at_the_rate_ships(tmp_path: Path) -> None:
    outcome, runner = search(tmp_path)
    limits = outcome.limits
    assert limits.at_rate == RATE and limits.min_rate is None
    figure = limits.figure
    assert figure.lower_is_better and figure.latency_key == "p99"
    decision = outcome.decision
    assert decision.winner is not None
    # no rate search, no proof of a sustainable rate: every window is at the rate
    handlers = {c["handler"] for c in runner.calls}
    assert "measure_rates" not in handlers
    trials = [c for c in runner.calls if c["handler"] == "measure_config"]
    assert trials and all(c["at_rate"] == RATE for c in trials)
    rounds = [c for c in runner.calls if c["handler"] == "measure_interleaved"]
    assert rounds and all(c["at_rate"] == RATE for c in rounds)
    # the contenders' figure is their p99 at the rate (ms, finite) and the winner leads every
    # confirmed one by its estimate (or is a hint tied with it)
    shown = [c for c in decision.contenders if c.feasible and c.confirmed]
    assert shown and all(math.isfinite(c.throughput_fps) and c.throughput_fps > 0 for c in shown)
    winner = decision.winner
    assert winner.claim is None
    # the report draws each config's latency distribution at the rate
    drawn = latency_info(outcome.trials, decision, limits.percentile, limits.max_latency_ms)
    assert drawn is not None and len(drawn.curves) >= 2
    assert all(c.latency_ms == tuple(sorted(c.latency_ms)) for c in drawn.curves)
    if not winner.is_hint:
        assert winner.throughput_fps == min(c.throughput_fps for c in shown if not c.is_hint)
        assert all(winner.throughput_fps < h.throughput_fps for h in shown if h.is_baseline)


def test_a_latency_limit_at_the_rate_is_a_constraint(tmp_path: Path) -> None:
    """A limit below what any config reaches at the rate: nothing is feasible, the verdict
    says so, nothing tuned ships."""
    outcome, _ = search(tmp_path, max_latency_s=0.0005)
    decision = outcome.decision
    assert not any(c.feasible for c in decision.contenders)
    assert decision.winner is None or decision.winner.is_baseline


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"objective": "latency"}, "single-stream"),
        ({"objective": "latency", "scenario": "server"}, "add --rate"),
        ({"objective": "latency", "scenario": "multi-stream", "fps": 30.0}, "--streams"),
    ],
)
def test_the_latency_objective_needs_its_load(kw: dict[str, Any], message: str) -> None:
    settings = SearchSettings(model_path="m.xml", **kw)  # type: ignore[arg-type]
    with pytest.raises(BadInputError) as err:
        validate_settings(settings)
    assert message in f"{err.value.problem} — {err.value.fix}"
