"""The server scenario on the simulated machine, end to end: rounds decide what ships, then the
stated rates (the winner's and the hints') are proven on enough Poisson arrivals within the
--confirm-time budget, and every view says what they rest on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import optuna

from autotune.study import load_confirmation, study_decision_of
from autotune.testing import SimulatedMachine
from tests.tuning.simulated import run

MACHINE = SimulatedMachine(cores=8, frame_ms=6.0, precision_speed={"f32": 1.0})


def search(tmp_path: Path, **kw: Any) -> tuple[Any, Any]:
    return run(
        tmp_path,
        MACHINE,
        trials=6,
        scenario="server",
        max_latency_s=0.02,
        confirm_rounds=4,
        max_rounds=4,
        confirm_top=1,
        **kw,
    )


def proof_calls(runner: Any) -> list[dict[str, Any]]:
    return [c for c in runner.calls if c["handler"] == "measure_rates"]


def test_the_stated_rates_are_proven_and_stored(tmp_path: Path) -> None:
    outcome, runner = search(tmp_path, confirm_time_s=120.0)
    decision = outcome.decision
    winner = decision.winner
    assert winner is not None and winner.claim is not None and winner.claim.proven
    claim = winner.claim
    assert claim.arrivals >= 826 and claim.plan.confidence == 0.99
    assert winner.stated_rate == claim.rate
    # the rate is proven below the rounds' median it started from (or at it)
    assert claim.rate <= claim.start * 1.0001
    hints = [c for c in decision.contenders if c.is_baseline and c.feasible]
    assert hints and all(h.claim is not None for h in hints)
    # the budget bounds what each proof measured
    proven = {c.key: c.claim for c in (winner, *hints) if c.claim is not None}
    assert all(claim.measured_s <= 120.0 * 1.1 for claim in proven.values())
    assert proof_calls(runner)
    # stored: the decision is the same wherever it is asked again
    study = optuna.load_study(study_name="sim", storage=f"sqlite:///{tmp_path}/s.db")
    stored = load_confirmation(study)
    assert stored is not None and stored.proofs is not None
    again = study_decision_of(study)[-1]
    assert again.winner is not None and again.winner.claim == claim
    assert again.verdict == decision.verdict


def test_a_budget_too_small_caps_the_proof_and_says_so(tmp_path: Path) -> None:
    outcome, _ = search(tmp_path, confirm_time_s=0.5)
    winner = outcome.decision.winner
    assert winner is not None and winner.claim is not None
    assert winner.claim.status == "capped" and not winner.claim.proven
    assert "its stated rate is not proven" in outcome.decision.verdict
    assert any("raise --confirm-time" in n for n in outcome.decision.notes)
    # a hint whose rate was never measured says so, not "0 arrivals"
    capped = [
        c
        for c in outcome.decision.contenders
        if c.is_baseline and c.claim is not None and c.claim.arrivals == 0
    ]
    assert capped
    assert any(
        "not proven: the --confirm-time budget ended before this rate was measured" in f
        for f in outcome.decision.findings
    )


def test_no_budget_states_the_rounds_unproven(tmp_path: Path) -> None:
    outcome, runner = search(tmp_path, confirm_time_s=0.0)
    assert not proof_calls(runner)
    winner = outcome.decision.winner
    assert winner is not None and winner.claim is None
    assert any("not proven on enough arrivals" in n for n in outcome.decision.notes)
