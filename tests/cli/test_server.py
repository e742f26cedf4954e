"""`autotune search --scenario server` end to end on the real runtime: the sustainable rate
under Poisson arrivals, judged against the hints, recorded, charted and exported."""

from __future__ import annotations

import json
import math
from pathlib import Path

import optuna
import pytest
from typer.testing import CliRunner

from autotune.cli import app
from autotune.report import load_curve_info
from autotune.study import LOAD_CURVES_ATTR, TrialResult, open_storage, study_decision_of
from tests.commands import search_args

runner = CliRunner()
LIMIT_MS = 20.0


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, tiny_model: Path) -> dict:
    base = tmp_path_factory.mktemp("server")
    storage = f"sqlite:///{base}/s.db"
    result = runner.invoke(
        app,
        search_args(
            str(tiny_model),
            storage,
            str(base / "out"),
            "--scenario",
            "server",
            "--max-latency",
            f"{LIMIT_MS:g}ms",
            "--study",
            "srv",
            "--seed",
            "3",
            "--confirm-top",
            "1",
            "--confirm-rounds",
            "3",
            "--confirm-time",
            "8s",
            "--json",
            trials=4,
            trial_time="0.6s",
        ),
    )
    assert result.exit_code == 0, result.output
    study = optuna.load_study(study_name="srv", storage=open_storage(storage, heartbeat=False))
    return {
        "summary": json.loads(result.stdout),
        "doc": json.loads((base / "out" / "best_config.json").read_text()),
        "study": study,
        "storage": storage,
        "base": base,
    }


def test_the_figure_is_the_sustainable_rate(served: dict) -> None:
    doc, summary = served["doc"], served["summary"]
    scenario = doc["scenario"]
    assert scenario["name"] == "server" and scenario["percentile"] == 99.0  # the server default
    assert summary["limits"]["scenario"] == "server"
    rate = doc["metrics"]["throughput_fps"]
    assert rate == pytest.approx(scenario["sustainable_rate"]) and rate > 0
    # an open loop cannot sustain more than the closed loop's ceiling
    assert rate < 1.1 * scenario["closed_loop_fps"]
    assert doc["metrics"]["latency_ms"]["p99"] <= LIMIT_MS
    # one decision everywhere: the judge's on the stored study, in --json and best_config.json
    decision = study_decision_of(served["study"])[-1]
    assert decision.verdict == doc["verdict"] == summary["verdict"]
    # what ships is named, with the server's figure where a gain is claimed
    reference = decision.reference_hint
    if decision.shipped_hint:
        assert doc["preset"] in ("LATENCY", "THROUGHPUT") and not summary["significant"]
        assert f"the {doc['label']}" in doc["verdict"]
    elif reference is None:  # no hint holds the limit under Poisson load
        assert doc["verdict"] == "no hint preset meets the limits; the tuned configuration does"
        assert doc["preset"] is None and doc["findings"]  # each hint's miss, with its figure
    else:  # proven faster than every hint that holds it, in 6 rounds
        assert summary["significant"] and decision.gain is not None
        assert decision.gain.interval is not None and decision.gain.interval.above_one
        assert f"× the sustainable rate of the {reference.label} (" in doc["verdict"]
    # --json and best_config.json show the same rounds, each round's ratio to each hint
    evidence = summary["confirmation"]
    assert (evidence is None) == ("confirmation" not in doc)
    if evidence is not None:
        assert evidence["round_ratios"] == doc["confirmation"]["round_ratios"]
        assert evidence["rounds"] in (3, 6)  # 3 planned, 3 more (the budget) when inconclusive
        assert all(len(r) == evidence["rounds"] for r in evidence["round_ratios"].values())


def test_the_stated_rate_says_what_it_rests_on(served: dict) -> None:
    """The winner's rate is proven on enough arrivals (or stated as not proven, the budget
    being short here), in best_config.json, --json and for every hint."""
    doc, summary = served["doc"], served["summary"]
    claim = doc["metrics"]["claim"]
    assert claim is not None and claim["status"] in ("proven", "capped")
    assert claim["rate"] == pytest.approx(doc["metrics"]["throughput_fps"], rel=1e-4)
    assert doc["scenario"]["proven"] == claim["proven"]
    assert doc["scenario"]["arrivals"] == claim["arrivals"] and claim["confidence"] == 0.99
    if claim["proven"]:
        assert claim["arrivals"] >= 826 and claim["bound"] < 0.01
    assert summary["winner"]["claim"]["rate"] == pytest.approx(claim["rate"], rel=1e-4)
    assert summary["claims"] and all(": p99 ≤ 20 ms at " in c for c in summary["claims"])
    for name, hint in doc["baselines"].items():
        if hint["feasible"]:
            assert hint["claim"] is not None, name
            assert hint["throughput_fps"] == pytest.approx(hint["claim"]["rate"], rel=1e-3)


def test_every_trial_keeps_its_probes(served: dict) -> None:
    trials = [TrialResult.from_trial(t) for t in served["study"].trials]
    measured = [t for t in trials if t.measured]
    assert measured
    for t in measured:
        points = t.load["points"]
        assert points and t.load["capacity_fps"] > 0
        held = [p for p in points if p["dropped"] == 0 and p["latency_ms"]["p99"] <= LIMIT_MS]
        assert t.throughput_fps == pytest.approx(max((p["offered_rate"] for p in held), default=0))


def test_the_hockey_stick(served: dict) -> None:
    record = served["study"].user_attrs[LOAD_CURVES_ATTR]
    shipped = served["study"].trials[served["doc"]["study"]["trial"]].user_attrs["key"]
    info = load_curve_info(record, shipped)
    assert info is not None and info.limit_ms == LIMIT_MS
    # the shipped config's curve is marked (it is a hint here, see above)
    winner = [c for c in info.curves if c.role.startswith("winner")]
    assert [c.label for c in winner] == [served["doc"]["label"]]
    assert winner[0].sustainable_rate == pytest.approx(served["doc"]["metrics"]["throughput_fps"])
    assert sum(1 for c in record["curves"] if c["hint"]) >= 2  # both hints are drawn
    for curve in info.curves:
        assert list(curve.rates) == sorted(curve.rates)
        # the proof's looks are kept apart from the exploratory points
        assert (curve.proven is None) == (not curve.proof)
        # each point's judged percentile is at or above its median, both positive (the rates
        # stay near the stated rate, below this tiny model's capacity, so whether the queue
        # builds between the lightest and the heaviest point is noise: it failed twice in CI)
        assert len(curve.percentile_ms) == len(curve.p50_ms) == len(curve.rates) >= 2
        for high, median in zip(curve.percentile_ms, curve.p50_ms, strict=True):
            assert median > 0 and (math.isinf(high) or high >= median)
    assert any(c.proof and c.claim_text for c in info.curves if "winner" in c.role)
    report = (served["base"] / "out" / "report.html").read_text()
    assert "Latency against offered load" in report


def test_exports_say_what_a_closed_loop_shows(served: dict) -> None:
    result = runner.invoke(
        app,
        ["export", "--study", "srv", "--storage", served["storage"], "--format", "benchmark_app"],
    )
    assert result.exit_code == 0, result.output
    assert "benchmark_app runs a closed loop" in result.output and "req/s at p99" in result.output
