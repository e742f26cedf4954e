"""``autotune export``, ``validate`` and ``profile``: what a deployer runs on a study's result."""

from __future__ import annotations

import json
from enum import Enum
from typing import Annotated

import typer

from autotune.cli._app import app, console, guard, out
from autotune.cli._options import StorageOpt, StudyOpt, duration
from autotune.core import parse_duration
from autotune.deploy import FORMATS, VALIDATE_PROOF_S, VALIDATE_ROUNDS

ExportFormat = Enum("ExportFormat", {name: name for name in FORMATS}, type=str)  # type: ignore[misc]
DEFAULT_FORMAT = ExportFormat("json")


@app.command(short_help="Export what a study ships: json, benchmark_app, python or ovms.")
def export(
    study: StudyOpt = None,
    storage: StorageOpt = None,
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help="; ".join(f"{name}: {f.help}" for name, f in FORMATS.items()) + ".",
        ),
    ] = DEFAULT_FORMAT,
    output: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            help="File to write (json, python: stdout by default; benchmark_app: "
            "benchmark_app_config.json in the study folder by default).",
        ),
    ] = None,
    out_dir: Annotated[
        str | None,
        typer.Option("--out-dir", help="Folder to write (ovms: default <study folder>/ovms)."),
    ] = None,
    trial: Annotated[
        int | None,
        typer.Option(help="Export this trial's configuration instead of the winner."),
    ] = None,
    max_latency: Annotated[
        str | None,
        typer.Option(help="Re-judge the study under a tighter latency limit, e.g. 10ms."),
    ] = None,
) -> None:
    """Export the configuration a study ships (or another operating point) in a deployable
    format."""

    def body() -> None:
        from autotune.deploy import export as run
        from autotune.study import absolute_storage, default_storage, load_study

        limit = duration(max_latency, "--max-latency")
        url = absolute_storage(storage or default_storage())
        done = run(
            load_study(study, url),
            fmt.value,
            output if output is not None else out_dir,
            storage=url,
            # what the user named: -o a file, --out-dir a folder (checked against the format)
            folder=False if output is not None else (True if out_dir is not None else None),
            trial=trial,
            max_latency_ms=limit * 1e3 if limit is not None else None,
        )
        # stdout: the export itself, or the command that uses what was written; the rest on
        # stderr, so `cmd=$(autotune export --format benchmark_app)` holds the command alone
        if done.path is None:
            out.print(done.content, end="", highlight=False)
        else:
            console.print(f"wrote {done.path}", highlight=False)
        if done.command and done.path is not None:
            out.print(done.command, highlight=False, emoji=False)
        elif done.command:
            console.print(f"run it: {done.command}", highlight=False)
        for note in done.notes:
            console.print(note, highlight=False)

    guard(body)


@app.command(short_help="Re-measure an exported config against the hints, here and now.")
def validate(
    config: Annotated[
        str, typer.Argument(help="A best_config.json written by autotune search/export.")
    ],
    rounds: Annotated[
        int, typer.Option(help="Interleaved rounds (config, LATENCY, THROUGHPUT each round).")
    ] = VALIDATE_ROUNDS,
    window: Annotated[str, typer.Option(help="Measurement window per config and round.")] = "0.5s",
    max_latency: Annotated[
        str | None, typer.Option(help="Check against this limit instead of the file's.")
    ] = None,
    confirm_time: Annotated[
        str,
        typer.Option(
            help="Server scenario: the measured time the proof of the stated rate may take "
            "(off: judge the rounds only)."
        ),
    ] = f"{VALIDATE_PROOF_S:g}s",
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the result as JSON on stdout.")
    ] = False,
) -> None:
    """Re-measure an exported config and the hint presets here, now: exit 4 when it no longer
    meets its latency limit (in the server scenario: its stated rate, proven again) or is now
    significantly slower than the best hint."""

    def body() -> None:
        from autotune.core import ValidationFailedError
        from autotune.deploy import validate as run

        limit = duration(max_latency, "--max-latency")
        result = run(
            config,
            rounds=rounds,
            window_s=parse_duration(window, option="--window"),
            max_latency_ms=limit * 1e3 if limit else None,
            confirm_time_s=0.0
            if confirm_time.strip().lower() == "off"
            else parse_duration(confirm_time, option="--confirm-time"),
            on_start=lambda text: console.print(f"validating {config}: {text}…"),
        )
        if json_output:
            out.print_json(json.dumps(result.to_dict()))
        else:
            for name, fps in [("config", result.throughput), *result.hints.items()]:
                r = result.ratios.get(name)
                extra = f"  ratio {r.estimate:.2f}× ({r.describe()})" if r else ""
                out.print(
                    f"{name:11s} {fps.estimate:9.1f} {result.unit} [{fps.low:.1f}, "
                    f"{fps.high:.1f}]{extra}",
                    highlight=False,
                )
            if result.claim is not None:
                out.print(f"stated rate: {result.claim.describe()}", highlight=False)
            out.print(result.verdict, highlight=False)
        if not result.ok:
            raise ValidationFailedError(
                "validation failed: " + "; ".join(result.problems),
                "re-run autotune search on this machine and re-export",
            )

    guard(body)


@app.command(short_help="Per-layer profile of a config (PERF_COUNT).")
def profile(
    config: Annotated[
        str, typer.Argument(help="A best_config.json written by autotune search/export.")
    ],
    top: Annotated[int, typer.Option(help="How many layers to list.")] = 15,
    iterations: Annotated[int, typer.Option(help="Inferences to average the counters over.")] = 30,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the summary as JSON on stdout.")
    ] = False,
) -> None:
    """Run a config with PERF_COUNT on: top layers by time, exec types, optimized-out layers
    and the Reorder overhead, as the OpenVINO performance guide reads them."""

    def body() -> None:
        from rich.table import Table

        from autotune.deploy import profile as run

        summary = run(config, top=top, iterations=iterations)
        if json_output:
            out.print_json(json.dumps(summary))
            return
        table = Table(
            width=100, title=f"top {top} layers by time ({iterations} inferences averaged)"
        )
        for column in ("layer", "type", "exec type", "ms", "share"):
            table.add_column(column, overflow="fold")
        for layer in summary["top"]:
            table.add_row(
                layer["name"],
                layer["type"],
                layer["exec_type"],
                f"{layer['real_ms']:.3f}",
                f"{layer['share']:.1%}",
            )
        out.print(table)
        r = summary["reorders"]
        out.print(
            f"total {summary['total_ms']:.3f} ms per inference; {summary['executed']} layers executed, "
            f"{summary['not_run']} not run (fused), {summary['optimized_out']} optimized out; "
            f"{r['count']} Reorders cost {r['ms']:.3f} ms ({r['share']:.1%})"
        )

    guard(body)
