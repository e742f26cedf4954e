"""Every bad input: one line naming the problem and the fix, exit code 2 (or the documented
one), no traceback, and the storage unchanged."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import autotune
from autotune.cli import app
from autotune.core import ConfigFileError
from tests.models import dynamic_hw_model

runner = CliRunner()
FAST = ["--trials", "1", "--trial-time", "0.2s", "--confirm-top", "0", "--device", "CPU"]


def digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


@pytest.fixture(scope="module")
def existing(tmp_path_factory: pytest.TempPathFactory, static_model: Path) -> dict:
    """A storage that already holds a study named 'taken' for another model."""
    base = tmp_path_factory.mktemp("existing")
    db = base / "s.db"
    result = runner.invoke(
        app,
        [
            "search",
            str(static_model),
            "--study",
            "taken",
            "--storage",
            f"sqlite:///{db}",
            "--out-dir",
            str(base / "o"),
            "--quiet",
            *FAST,
        ],
    )
    assert result.exit_code == 0, result.output
    return {"db": db, "base": base}


def cases(tiny: Path, tmp: Path, existing: dict) -> dict[str, tuple[list[str], int, str]]:
    not_model = tmp / "notes.xml"
    not_model.write_text("hello")
    (tmp / "notes.txt").write_text("hello")
    broken = tmp / "broken.onnx"
    broken.write_bytes(b"\x08\x07garbage-protobuf")
    lonely = tmp / "lonely.xml"
    lonely.write_text(tiny.read_text())
    dyn = dynamic_hw_model(tmp / "dyn.xml")
    junk_db = tmp / "junk.db"
    junk_db.write_text("not sqlite")
    a_file = tmp / "a_file"
    a_file.write_text("x")
    shape = ["--shape", "images[1,3,64,64]"]
    storage = ["--storage", f"sqlite:///{existing['db']}"]
    return {
        "missing model": (["search", str(tmp / "nope.xml"), *storage], 2, "does not exist"),
        "not a model": (["search", str(not_model), *storage], 2, "cannot read"),
        "unreadable model": (["search", str(broken), *storage], 2, "cannot read"),
        "bin missing": (["search", str(lonely), *storage], 2, "lonely.bin' is missing"),
        "dynamic without shape": (
            ["search", str(dyn), *storage],
            2,
            "dynamic input dimensions (images[?,3,?,?])",
        ),
        "unknown input": (
            ["search", str(tiny), "--shape", "pixels[1,3,64,64]", *storage],
            2,
            "does not have",
        ),
        "wrong rank": (["search", str(tiny), "--shape", "images[1,3,64]", *storage], 2, "rank 3"),
        "unknown device": (
            ["search", str(tiny), *shape, "--device", "GPU", *storage],
            2,
            "'GPU' is not available",
        ),
        "latency unparsable": (
            ["search", str(tiny), *shape, "--max-latency", "abc", *storage],
            2,
            "'abc' is not a duration",
        ),
        "latency zero": (
            ["search", str(tiny), *shape, "--max-latency", "0ms", *storage],
            2,
            "must be positive",
        ),
        "latency negative": (
            ["search", str(tiny), *shape, "--max-latency=-5ms", *storage],
            2,
            "must be positive",
        ),
        "percentile zero": (
            ["search", str(tiny), *shape, "--percentile", "0", *storage],
            2,
            "--percentile",
        ),
        "percentile high": (
            ["search", str(tiny), *shape, "--percentile", "101", *storage],
            2,
            "--percentile",
        ),
        "trials zero": (["search", str(tiny), *shape, "--trials", "0", *storage], 2, "--trials"),
        "malformed storage": (
            ["search", str(tiny), *shape, "--storage", "not a url"],
            2,
            "not a valid database URL",
        ),
        "unsupported storage": (
            ["search", str(tiny), *shape, "--storage", "mongodb://x/y"],
            2,
            "not supported",
        ),
        "storage not sqlite": (
            ["search", str(tiny), *shape, "--storage", f"sqlite:///{junk_db}"],
            2,
            "not an SQLite database",
        ),
        "unwritable out": (
            ["search", str(tiny), *shape, *storage, "--out-dir", str(a_file / "sub")],
            2,
            "is a file",
        ),
        "study for other model": (
            ["search", str(tiny), *shape, *storage, "--study", "taken", *FAST],
            2,
            "another model",
        ),
        "export unknown study": (
            ["export", "--study", "nope", *storage],
            2,
            "no study named 'nope'",
        ),
        "export unknown format": (
            ["export", "--study", "taken", "--format", "yaml", *storage],
            2,
            "'yaml' is not one of 'json', 'benchmark_app', 'python', 'ovms'",
        ),
        "latency without unit": (
            ["search", str(tiny), *shape, "--max-latency", "20", *storage],
            2,
            "add a unit: 20ms",
        ),
        "unknown option": (
            ["search", str(tiny), *shape, "--max-latancy", "20ms", *storage],
            2,
            "No such option: --max-latancy",
        ),
        "validate missing config": (["validate", str(tmp / "missing.json")], 2, "missing.json"),
        "rate without server": (
            ["search", str(tiny), *shape, "--max-latency", "5ms", "--rate", "100", *storage],
            2,
            "--rate applies to the server scenario",
        ),
        "server without a limit": (
            ["search", str(tiny), *shape, "--scenario", "server", *storage],
            2,
            "the server scenario needs a latency limit",
        ),
        "rate unparsable": (
            ["search", str(tiny), *shape, "--scenario", "server", "--rate", "lots", *storage],
            2,
            "--rate 'lots' is not a positive request rate",
        ),
        "quantize without samples": (
            ["search", str(tiny), *shape, "--quantize", *storage],
            2,
            "--quantize needs real samples to calibrate on",
        ),
        "metric without samples": (
            ["search", str(tiny), *shape, "--accuracy-fn", "m:f", "--max-drop", "0.1", *storage],
            2,
            "--accuracy-fn needs the samples it is computed on",
        ),
        "metric not importable": (
            [
                *("search", str(tiny), *shape, "--inputs", str(tmp)),
                *("--accuracy-fn", "no_such_module:f", "--max-drop", "0.1", *storage),
            ],
            2,
            "--accuracy-fn: cannot import 'no_such_module'",
        ),
        "text file as model": (["search", str(tmp / "notes.txt"), *storage], 2, ".txt"),
        "export no feasible": (
            ["export", "--study", "taken", "--max-latency", "1us", *storage],
            3,
            "no configuration meets",
        ),
        "report missing storage": (
            ["report", "--storage", f"sqlite:///{tmp}/empty.db"],
            2,
            "does not exist",
        ),
    }


CASE_NAMES = [
    "missing model",
    "not a model",
    "unreadable model",
    "bin missing",
    "dynamic without shape",
    "unknown input",
    "wrong rank",
    "unknown device",
    "latency unparsable",
    "latency zero",
    "latency negative",
    "percentile zero",
    "percentile high",
    "trials zero",
    "malformed storage",
    "unsupported storage",
    "storage not sqlite",
    "unwritable out",
    "study for other model",
    "export unknown study",
    "export unknown format",
    "latency without unit",
    "unknown option",
    "text file as model",
    "quantize without samples",
    "metric without samples",
    "metric not importable",
    "rate without server",
    "server without a limit",
    "rate unparsable",
    "validate missing config",
    "export no feasible",
    "report missing storage",
]


@pytest.mark.parametrize("name", CASE_NAMES)
def test_bad_input(
    name: str, tiny_model: Path, tmp_path: Path, existing: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    args, code, needle = cases(tiny_model, tmp_path, existing)[name]
    before = digest(existing["db"])
    junk_before = digest(tmp_path / "junk.db")
    result = runner.invoke(app, args)
    assert result.exit_code == code, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ") and needle in lines[0], lines[0]
    assert " — " in lines[0]  # problem — fix
    assert "Traceback" not in result.output
    assert digest(existing["db"]) == before
    assert digest(tmp_path / "junk.db") == junk_before
    assert not (tmp_path / "studies").exists()  # the default storage was not created either
    assert not (tmp_path / "empty.db").exists()


def test_force_replaces_a_study_of_another_model(
    tiny_model: Path, tmp_path: Path, static_model: Path
) -> None:
    db = f"sqlite:///{tmp_path}/s.db"
    first = runner.invoke(
        app,
        [
            "search",
            str(static_model),
            "--study",
            "x",
            "--storage",
            db,
            "--out-dir",
            str(tmp_path / "o"),
            "--quiet",
            *FAST,
        ],
    )
    assert first.exit_code == 0
    again = runner.invoke(
        app,
        [
            "search",
            str(tiny_model),
            "--shape",
            "images[1,3,64,64]",
            "--study",
            "x",
            "--storage",
            db,
            "--out-dir",
            str(tmp_path / "o"),
            "--quiet",
            "--force",
            *FAST,
        ],
    )
    assert again.exit_code == 0, again.output
    import optuna

    study = optuna.load_study(study_name="x", storage=db)
    assert study.user_attrs["autotune"]["model"]["path"] == str(tiny_model.resolve())


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"model": "m.xml"}', "lacks device"),
        (
            '{"model": "m.xml", "device": "CPU", "properties": {"GPU": {}}, "infer_requests": 1}',
            "no object for device 'CPU'",
        ),
        (
            '{"model": "m.xml", "device": "CPU", "properties": {"CPU": {}}, "infer_requests": "two"}',
            "must be integers",
        ),
    ],
)
def test_corrupted_best_config(tmp_path: Path, content: str, needle: str) -> None:
    path = tmp_path / "best_config.json"
    path.write_text(content)
    with pytest.raises(ConfigFileError, match=needle) as info:
        autotune.compile_model(path)
    assert "autotune export" in info.value.one_line()


def test_best_config_with_bad_property_value(tmp_path: Path, tiny_model: Path) -> None:
    path = tmp_path / "best_config.json"
    path.write_text(
        json.dumps(
            {
                "model": str(tiny_model),
                "device": "CPU",
                "shape": {"images": [1, 3, 64, 64]},
                "infer_requests": 1,
                "properties": {"CPU": {"NUM_STREAMS": "lots"}},
            }
        )
    )
    with pytest.raises(autotune.AutotuneError, match="refused the properties.*streams"):
        autotune.compile_model(path)
