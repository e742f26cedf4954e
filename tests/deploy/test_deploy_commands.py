"""What a deployer uses: export formats, validate, the dashboard, compare."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from autotune.cli import app
from autotune.core import SERVER
from autotune.judge import Limits, ProofPlan, RateClaim, Recorded, judge_validation, prove_rate
from autotune.measure import LoadPoint
from tests.builders import window
from tests.commands import search_args

runner = CliRunner()


def test_validate_passes_then_fails_a_tightened_limit(study: dict) -> None:
    ok = runner.invoke(
        app, ["validate", str(study["config"]), "--rounds", "2", "--window", "0.3s", "--json"]
    )
    assert ok.exit_code == 0, ok.output
    data = json.loads(ok.stdout)
    assert data["ok"] and data["meets_limit"] and set(data["hints"]) == {"LATENCY", "THROUGHPUT"}
    tight = runner.invoke(
        app,
        [
            "validate",
            str(study["config"]),
            "--rounds",
            "2",
            "--window",
            "0.3s",
            "--max-latency",
            "1us",
        ],
    )
    assert tight.exit_code == 4
    assert "over the limit 0.001 ms" in tight.output


def test_validate_judges_a_slower_config_as_failed() -> None:
    def ws(fps: float) -> list:
        return [window(r, fps * (1 + 0.01 * r), 1.0) for r in range(10)]

    def run(config_fps: float, limits: Limits | None = None, **kw: Any):
        return judge_validation(
            "tuned",
            None,
            ws(config_fps),
            {"LATENCY": ws(60), "THROUGHPUT": ws(100)},
            limits or Limits(max_latency_ms=5.0),
            recorded_fps=500,
            **kw,
        )

    slower = run(80)
    assert (
        not slower.ok
        and not slower.beats_hints
        and "slower than the THROUGHPUT hint" in slower.verdict
    )
    same = run(100)
    assert same.ok and same.meets_limit and same.best_hint == "THROUGHPUT"
    # the limits the study recorded, all of them: a hint over the memory limit is not the bar
    # (the search's feasibility and best-hint rule), and a config over it fails
    lean = Limits(max_latency_ms=5.0, max_memory_bytes=100_000_000)
    fat, thin = Recorded(memory_bytes=200e6), Recorded(memory_bytes=50e6)
    hints = {"LATENCY": thin, "THROUGHPUT": fat}
    judged = run(80, lean, recorded=thin, recorded_hints=hints)
    assert judged.ok and judged.best_hint == "LATENCY", judged.verdict
    over = run(120, lean, recorded=fat, recorded_hints=hints)
    assert not over.ok and not over.meets_limit
    assert "it used 200 MB > 100 MB in the study" in over.verdict


def test_validate_in_the_server_scenario_is_decided_by_the_proof() -> None:
    """The rounds' p99 meets the limit either way; the stated rate proven again decides: a
    refuted proof fails validate with the proof's own words, a proven one passes and is
    stated in the verdict (the judge's feasibility rule, through Limits.violations)."""
    plan = ProofPlan(percent=99, limit_ms=20.0, step_down=False)

    def point(over: int) -> LoadPoint:
        return LoadPoint(
            offered_rate=100.0,
            achieved_rate=100.0,
            requests=plan.first,
            completed=plan.first,
            dropped=0,
            wall_s=plan.first / 100.0,
            latency_ms={"p50": 5.0, "p99": 15.0},
            wait_ms={},
            lateness_ms=0.0,
            overloaded=False,
            over=over,
            over_sq=over,
        )

    limits = Limits(max_latency_ms=20.0, percentile=99.0, scenario=SERVER)
    rounds = [window(r, 100.0, 10.0) for r in range(4)]

    def run(claim: RateClaim) -> Any:
        return judge_validation(
            "tuned", None, rounds, {"LATENCY": rounds}, limits, recorded_fps=100.0, claim=claim
        )

    refuted = prove_rate([point(60)], 100.0, plan)
    assert refuted.status == "refuted"
    failed = run(refuted)
    assert not failed.ok and not failed.meets_limit
    assert "p99 ≤ 20 ms at 100 req/s does not hold: 826 arrivals, 60 over" in failed.verdict
    held = run(prove_rate([point(0)], 100.0, plan))
    assert held.ok and held.claim is not None and held.claim.proven
    assert "OK: meets its limit (p99 ≤ 20 ms at 100 req/s: 826 arrivals" in held.verdict
    assert held.to_dict()["claim"]["arrivals"] == 826


def test_validate_checks_its_arguments_in_the_library(study: dict) -> None:
    import pytest

    from autotune.core import BadInputError
    from autotune.deploy import validate

    with pytest.raises(BadInputError, match="--rounds must be at least 2"):
        validate(study["config"], rounds=1)
    result = runner.invoke(app, ["validate", str(study["config"]), "--rounds", "1"])
    assert result.exit_code == 2 and result.stdout == ""
    assert "error: --rounds must be at least 2, got 1" in result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_dashboard_serves_the_study(study: dict) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "autotune",
            "dashboard",
            "--storage",
            study["storage"],
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        body = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and body is None:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/api/studies", timeout=5
                ) as response:
                    body = json.loads(response.read())
            except OSError:
                assert proc.poll() is None, proc.communicate()
                time.sleep(0.3)
        assert body is not None
        names = [s["study_name"] for s in body["study_summaries"]]
        assert names == ["dep"]
        study_id = body["study_summaries"][0]["study_id"]
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/api/studies/{study_id}", timeout=10
        ) as response:
            detail = json.loads(response.read())
        attrs = {a["key"] for a in detail["trials"][0]["user_attrs"]}
        assert {"metrics", "effective", "windows"} <= attrs  # the measured figures are visible
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_compare_two_studies(study: dict, tiny_model: Path, tmp_path: Path) -> None:
    other = runner.invoke(
        app,
        search_args(
            str(tiny_model),
            study["storage"],
            str(tmp_path / "o2"),
            "--max-latency",
            "20ms",
            "--study",
            "dep2",
            "--confirm-top",
            "0",
            "--quiet",
        ),
    )
    assert other.exit_code == 0
    target = tmp_path / "compare.html"
    result = runner.invoke(
        app, ["compare", "dep", "dep2", "--storage", study["storage"], "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert "dep2" in result.stdout and "dep" in result.stdout
    html = target.read_text()
    assert "Plotly.newPlot" in html and "dep2" in html


def chromium() -> str:
    import shutil

    found = (
        shutil.which("chromium")
        or shutil.which("chromium-browser")
        or shutil.which("google-chrome")
    )
    if not found:
        raise AssertionError(
            "Chromium not found: apt-get install chromium (as .ci/system-deps does)"
        )
    return found


def test_report_renders_in_headless_chromium(study: dict, tmp_path: Path) -> None:

    report = study["base"] / "out" / "report.html"
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-sync",
        "--disable-background-networking",
        "--disable-component-update",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=20000",
        "--dump-dom",
        report.as_uri(),
    ]
    dom = subprocess.run(command, capture_output=True, text=True, timeout=180).stdout
    plots = re.search(r'<body[^>]*data-plots="(\d+)"', dom)
    assert plots, "the page's final script did not run"
    assert (
        int(plots.group(1)) >= 6
    )  # Pareto, 4 exploration charts, history (+ importances, parallel)
    errors = re.search(r'<pre id="autotune-js-errors" hidden="">(.*?)</pre>', dom, re.S)
    assert errors is not None and errors.group(1).strip() == "", (
        errors.group(1) if errors else dom[-500:]
    )
    assert "Which config to ship" in dom and "Deploy it" in dom


def test_report_png_through_kaleido(study: dict, tmp_path: Path) -> None:
    chromium()  # kaleido drives the system Chromium
    target = tmp_path / "r.html"
    result = runner.invoke(
        app,
        ["report", "--study", "dep", "--storage", study["storage"], "-o", str(target), "--png"],
    )
    assert result.exit_code == 0, result.output
    png = target.with_suffix(".png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_printed_benchmark_app_command_runs_the_shipped_batch(
    model_dir: Path, tmp_path: Path
) -> None:
    """A static model whose winner is batched: the printed command must reshape to that batch,
    use the same request count and API, and point -load_config at a file of its own."""
    import shlex

    from tests.models import mlp_model

    model = mlp_model(model_dir / "mlp.xml")
    storage = f"sqlite:///{tmp_path}/s.db"
    searched = runner.invoke(
        app,
        [
            "search",
            str(model),
            "--max-latency",
            "50ms",
            "--device",
            "CPU",
            "--trials",
            "8",
            "--trial-time",
            "0.3s",
            "--study",
            "mlp",
            "--storage",
            storage,
            "--out-dir",
            str(tmp_path / "out"),
            "--seed",
            "0",
            "--confirm-top",
            "2",
            "--confirm-rounds",
            "6",
            "--quiet",
        ],
    )
    assert searched.exit_code == 0, searched.output
    doc = json.loads((tmp_path / "out" / "best_config.json").read_text())
    assert doc["batch"] > 1 and not doc["preset"], doc["verdict"]  # batching wins on a micro model
    assert doc["confirmation"]["significant"]
    exported = runner.invoke(
        app, ["export", "--study", "mlp", "--storage", storage, "--format", "benchmark_app"]
    )
    assert exported.exit_code == 0, exported.output
    own_file = tmp_path / "out" / "benchmark_app_config.json"
    assert f"wrote {own_file}" in exported.stderr
    assert json.loads(own_file.read_text()) == doc["properties"]  # the -load_config format
    assert exported.stdout.count("\n") == 1  # the command, alone on stdout
    command = shlex.split(exported.stdout)
    assert command[command.index("-load_config") + 1] == str(own_file)
    assert command[command.index("-nireq") + 1] == str(doc["infer_requests"])
    assert command[command.index("-api") + 1] == (
        "sync" if doc["infer_requests"] == 1 else "async"
    )
    command[command.index("-t") + 1] = "1"
    ba = Path(sys.executable).with_name("benchmark_app")
    run = subprocess.run([str(ba), *command[1:]], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert (
        f"Model batch size: {doc['batch']}" in run.stdout
    )  # it counts frames of the shipped batch
    assert f"Reshaping model: 'x': [{doc['batch']},64]" in run.stdout
    api = "synchronously" if doc["infer_requests"] == 1 else "asynchronously"
    assert f"Start inference {api}, {doc['infer_requests']} inference requests" in run.stdout
