"""Search settings are checked before anything is read or written."""

from __future__ import annotations

import pytest

from autotune.core import BadInputError
from autotune.tuning import SearchSettings, validate_settings


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"percentile": 0}, "--percentile must be in (0, 100]"),
        ({"trials": 0}, "--trials must be at least 1"),
        ({"max_batch": 0}, "--max-batch must be at least 1"),
        ({"confirm_rounds": 1}, "--confirm-rounds must be at least 2"),
        ({"max_rounds": 8}, "--max-rounds 8 is below --confirm-rounds 10"),
        ({"tie_margin": -0.01}, "--tie-margin must be between 0 and 0.5"),
        ({"tie_margin": 5.0}, "--tie-margin must be between 0 and 0.5"),
        ({"objective": "speed"}, "--objective 'speed' is unknown"),
        ({"min_top1": 1.5}, "--min-top1 must be between 0 and 1"),
        ({"study_name": "a b"}, "is not a usable name"),
        ({"scenario": "batch"}, "--scenario 'batch' is unknown"),
        ({"scenario": "server"}, "the server scenario needs a latency limit"),
        ({"rate": 100.0}, "--rate applies to the server scenario"),
        (
            {"scenario": "server", "max_latency_s": 0.02, "objective": "pareto"},
            "--objective pareto is not available in the server scenario",
        ),
    ],
)
def test_impossible_settings_are_refused(change: dict, needle: str) -> None:
    with pytest.raises(BadInputError) as info:
        validate_settings(SearchSettings(model_path="m.xml", **change))
    assert needle in info.value.one_line()


def test_the_percentile_defaults_to_the_scenario() -> None:
    assert SearchSettings(model_path="m.xml").percentile == 90.0
    server = SearchSettings(model_path="m.xml", scenario="server", max_latency_s=0.02)
    assert server.percentile == 99.0
    assert SearchSettings(model_path="m.xml", percentile=95.0, scenario="server").percentile == 95


def test_the_round_budget_defaults_to_twice_the_planned_rounds() -> None:
    plan = SearchSettings(model_path="m.xml").round_plan
    assert (plan.planned, plan.budget, plan.tie_margin) == (10, 20, 0.05)
    assert SearchSettings(model_path="m.xml", confirm_rounds=30).round_plan.budget == 60
    assert SearchSettings(model_path="m.xml", max_rounds=40).round_plan.budget == 40
    validate_settings(SearchSettings(model_path="m.xml", confirm_rounds=30))  # no --max-rounds
