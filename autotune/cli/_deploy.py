"""``autotune export``, ``validate`` and ``profile``: what a deployer runs on a study's result."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from autotune.cli._app import app, console, guard, out
from autotune.cli._options import StorageOpt, StudyOpt, duration
from autotune.core import BadInputError, parse_duration
from autotune.deploy import VALIDATE_ROUNDS
from autotune.study import DEFAULT_STORAGE


@app.command()
def export(
    study: StudyOpt = None,
    storage: StorageOpt = DEFAULT_STORAGE,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="json (best_config.json), benchmark_app (-load_config file + command), python, ovms.",
        ),
    ] = "json",
    output: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            help="File to write (default: stdout; benchmark_app: <study folder>/benchmark_app_config.json).",
        ),
    ] = None,
    trial: Annotated[
        int | None,
        typer.Option(help="Export this trial's configuration instead of the winner."),
    ] = None,
    max_latency: Annotated[
        str | None,
        typer.Option(help="Re-select the best config under a tighter latency limit, e.g. 10ms."),
    ] = None,
) -> None:
    """Export the chosen configuration of a study in a deployable format."""

    def body() -> None:
        from autotune.core import write_atomic
        from autotune.deploy import DEFAULT_FILES, FORMATS, build_best_config, render
        from autotune.study import load_study, study_out_dir

        if fmt not in FORMATS:
            raise BadInputError(
                f"--format {fmt!r} is unknown", f"use one of: {', '.join(FORMATS)}"
            )
        limit = duration(max_latency, "--max-latency")
        s = load_study(study, storage)
        doc = build_best_config(
            s, storage, trial=trial, max_latency_ms=limit * 1e3 if limit else None
        )
        target = output
        if target is None and fmt in DEFAULT_FILES:
            # e.g. -load_config needs a file of its own (best_config.json is not its format)
            target = str(study_out_dir(s) / DEFAULT_FILES[fmt])
        content, message = render(doc, fmt, target or "best_config.json")
        if target:
            write_atomic(target, content)
            console.print(f"wrote {target}")
        else:
            out.print(content, end="", highlight=False, soft_wrap=True)
        if message:
            console.print(message, highlight=False, soft_wrap=True)

    guard(body)


@app.command()
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
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the result as JSON on stdout.")
    ] = False,
) -> None:
    """Re-measure an exported config and the hint presets here, now: exit 4 when it no longer
    meets its latency limit or is now significantly slower than the best hint."""

    def body() -> None:
        from autotune.core import ValidationFailedError
        from autotune.deploy import validate as run

        if rounds < 2:
            raise BadInputError("--rounds must be at least 2", "e.g. --rounds 5")
        limit = duration(max_latency, "--max-latency")
        console.print(f"validating {config}: {rounds} interleaved rounds…")
        result = run(
            config,
            rounds=rounds,
            window_s=parse_duration(window, option="--window"),
            max_latency_ms=limit * 1e3 if limit else None,
        )
        if json_output:
            out.print_json(json.dumps(result.to_dict()))
        else:
            for name, fps in [("config", result.throughput), *result.hints.items()]:
                extra = "" if name == "config" else f"  ratio {result.ratios[name].describe()}"
                console.print(
                    f"{name:11s} {fps.estimate:9.1f} FPS [{fps.low:.1f}, {fps.high:.1f}]{extra}"
                )
            console.print(result.verdict, highlight=False)
        if not result.ok:
            raise ValidationFailedError(
                "validation failed: " + "; ".join(result.problems),
                "re-run autotune search on this machine and re-export",
            )

    guard(body)


@app.command()
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
