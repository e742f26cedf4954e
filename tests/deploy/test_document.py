"""best_config.json: the judge's winner at its one (confirmed) figure, and other operating
points of the same study."""

from __future__ import annotations

import optuna
import pytest

from autotune.core import NoFeasibleConfigError
from autotune.deploy import build_best_config
from autotune.testing import SimulatedMachine
from tests.tuning.simulated import run


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, str]:
    base = tmp_path_factory.mktemp("document")
    outcome, _ = run(base, SimulatedMachine(cores=16, frame_ms=8), trials=14, max_latency_s=0.006)
    return outcome, f"sqlite:///{base}/s.db"


def test_the_document_ships_the_judges_winner_at_its_confirmed_figure(simulated: tuple) -> None:
    outcome, storage = simulated
    study = optuna.load_study(study_name="sim", storage=storage)
    doc = build_best_config(study, storage)
    winner = outcome.winner
    assert doc["label"] == winner.label and doc["verdict"] == outcome.decision.verdict
    assert doc["metrics"]["throughput_fps"] == pytest.approx(winner.throughput.estimate, rel=1e-6)
    assert doc["metrics"]["source"] == "confirmation"
    assert doc["metrics"]["search_throughput_fps"] == pytest.approx(
        winner.search_throughput_fps, rel=1e-6
    )
    assert doc["confirmation"]["rounds"] == 10 and set(doc["baselines"]) == {
        "LATENCY",
        "THROUGHPUT",
    }
    assert doc["shape"] == {"x": [doc["batch"], 3, 8, 8]}


def test_other_operating_points(simulated: tuple) -> None:
    outcome, storage = simulated
    study = optuna.load_study(study_name="sim", storage=storage)
    number = next(t.number for t in outcome.trials if t.measured and not t.preset)
    picked = build_best_config(study, storage, trial=number)
    assert number in picked["metrics"]["trials"] and picked["verdict"].startswith(
        f"trial #{number} exported on request"
    )
    with pytest.raises(
        NoFeasibleConfigError, match="no configuration meets p90 latency ≤ 1e-06 ms"
    ):
        build_best_config(study, storage, max_latency_ms=1e-6)
