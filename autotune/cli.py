"""The ``autotune`` command: a thin shell over the library (each command parses its options,
makes one library call, and formats the result)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console

from autotune.errors import AutotuneError, BadInputError, ExitCode
from autotune.storage import DEFAULT_STORAGE
from autotune.units import parse_duration, parse_memory

app = typer.Typer(
    help="Find the fastest OpenVINO runtime configuration for a model on this machine, "
    "under a latency limit.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# No Rich markup: printed text carries user data (paths, shapes like images[1,3,224,224]).
# No wrapping by Rich either: paths and commands must stay copyable (tables still fit the width).
console = Console(stderr=True, markup=False, soft_wrap=True)
out = Console(markup=False, soft_wrap=True)
T = TypeVar("T")

StudyOpt = Annotated[
    str | None,
    typer.Option("--study", help="Study name (default: the most recent study in the storage)."),
]
StorageOpt = Annotated[
    str,
    typer.Option(
        "--storage",
        help="Optuna storage URL: sqlite:///file.db, postgresql://…, journal:///path.log.",
    ),
]


def _guard(fn: Callable[[], T]) -> T:
    """Run a command body: user errors → one line and their exit code, never a traceback."""
    from autotune.tuner import SearchInterrupted

    try:
        return fn()
    except AutotuneError as exc:
        console.print(f"error: {exc.one_line()}", highlight=False, soft_wrap=True)
        raise typer.Exit(int(exc.exit_code)) from None
    except SearchInterrupted as exc:
        console.print(
            f"\ninterrupted: study '{exc.study_name}' is intact; completed trials are kept. "
            f"Resume with the same command (or --study {exc.study_name} --storage {exc.storage}).",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    except KeyboardInterrupt:
        console.print("\ninterrupted")
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    except typer.Exit:
        raise
    except Exception as exc:
        if os.environ.get("AUTOTUNE_DEBUG"):
            raise
        console.print(
            f"internal error: {type(exc).__name__}: {exc} "
            "(set AUTOTUNE_DEBUG=1 for the traceback and report it)",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(int(ExitCode.INTERNAL)) from None


def _fraction(text: str, option: str, example: str) -> float | None:
    """An accuracy-guard threshold: a non-negative number, or off."""
    if text.strip().lower() in ("off", "none", "no"):
        return None
    try:
        value = float(text)
    except ValueError:
        raise BadInputError(
            f"{option} {text!r} is not a number", f"e.g. {option} {example}, or off"
        ) from None
    if not value >= 0:
        raise BadInputError(f"{option} must not be negative", f"e.g. {option} {example}, or off")
    return value


def _duration(text: str | None, option: str) -> float | None:
    return parse_duration(text, option=option) if text is not None else None


@app.command()
def search(
    model: Annotated[
        str, typer.Argument(help="Model file: OpenVINO IR .xml (with its .bin) or .onnx.")
    ],
    max_latency: Annotated[
        str | None,
        typer.Option(
            help="Latency limit for the chosen percentile, e.g. 20ms, 0.02s, 500us. Omit to maximize throughput."
        ),
    ] = None,
    percentile: Annotated[
        float, typer.Option(help="Latency percentile the limit applies to (0–100].")
    ] = 90.0,
    device: Annotated[
        str | None,
        typer.Option(
            help="Devices to search, comma separated (CPU, AUTO, BATCH:CPU). Default: all here."
        ),
    ] = None,
    trials: Annotated[
        int, typer.Option(help="Total trials the study should reach (a rerun continues up to it).")
    ] = 30,
    time_budget: Annotated[
        str | None,
        typer.Option(
            help="Stop searching after this long, e.g. 10m (confirmation adds a little)."
        ),
    ] = None,
    trial_time: Annotated[
        str, typer.Option(help="Measurement time per trial, e.g. 2s (plus warm-up).")
    ] = "2s",
    shape: Annotated[
        str | None,
        typer.Option(help='Fix input shapes, benchmark_app syntax: "images[1,3,320,320]".'),
    ] = None,
    max_batch: Annotated[
        int, typer.Option(help="Largest batch to try (powers of two) when the batch can change.")
    ] = 8,
    study: Annotated[
        str | None,
        typer.Option(help="Study name (default: from model, shape, device and limit)."),
    ] = None,
    storage: StorageOpt = DEFAULT_STORAGE,
    out_dir: Annotated[
        str | None, typer.Option("--out", help="Output folder (default: studies/<study>/).")
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="Sampler seed, for a reproducible sequence of trials.")
    ] = None,
    trial_timeout: Annotated[
        str | None,
        typer.Option(
            help="Kill a trial (compile + measure) after this long; default 120s + 4×trial-time."
        ),
    ] = None,
    confirm_top: Annotated[
        int,
        typer.Option(
            help="Re-measure this many best configs against the hints at the end (0: skip)."
        ),
    ] = 3,
    confirm_rounds: Annotated[
        int,
        typer.Option(
            help="Interleaved rounds in the confirmation stage (10 gives 97.9 % intervals)."
        ),
    ] = 10,
    objective: Annotated[
        str,
        typer.Option(
            help="throughput (maximize under limits) or pareto (throughput ↑, latency ↓, memory ↓)."
        ),
    ] = "throughput",
    max_memory: Annotated[
        str | None,
        typer.Option(
            help="Memory limit per config (peak RSS above the idle runtime), e.g. 1.5GB."
        ),
    ] = None,
    max_drift: Annotated[
        str,
        typer.Option(
            help="Accuracy guard: largest relative L2 error of an output vs the f32 reference (0.05 = 5 %); 'off' disables it."
        ),
    ] = "0.05",
    min_top1: Annotated[
        str,
        typer.Option(
            help="Accuracy guard: least top-1 agreement with f32 on outputs that are probability vectors (0.99); 'off' disables it."
        ),
    ] = "0.99",
    max_first_inference: Annotated[
        str | None,
        typer.Option(
            help="Limit on time to first result (compile from cache + first inference), e.g. 500ms."
        ),
    ] = None,
    inputs: Annotated[
        str | None,
        typer.Option(
            help="Folder of .npy input samples for the accuracy guard (default: random data)."
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(help="Replace a study of the same name made for another model or limit."),
    ] = False,
    allow_mixed_hardware: Annotated[
        bool, typer.Option(help="Join a study recorded on different hardware.")
    ] = False,
    quiet: Annotated[bool, typer.Option(help="No progress output.")] = False,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print a machine-readable summary on stdout.")
    ] = False,
) -> None:
    """Search runtime configurations, measure each on the real runtime, keep the best that
    meets the limit. Writes best_config.json and report.html to the output folder."""

    def body() -> None:
        from autotune.environment import collect_environment
        from autotune.plan import SearchSettings
        from autotune.terminal import QuietObserver, RichObserver, print_summary, summary_json
        from autotune.workflow import search as run

        settings = SearchSettings(
            model_path=model,
            shape=shape,
            max_latency_s=_duration(max_latency, "--max-latency"),
            percentile=percentile,
            device=device,
            trials=trials,
            time_budget_s=_duration(time_budget, "--time-budget"),
            trial_time_s=parse_duration(trial_time, option="--trial-time"),
            max_batch=max_batch,
            study_name=study,
            storage=storage,
            out_dir=out_dir,
            seed=seed,
            trial_timeout_s=_duration(trial_timeout, "--trial-timeout"),
            confirm_top=confirm_top,
            confirm_rounds=confirm_rounds,
            force=force,
            allow_mixed_hardware=allow_mixed_hardware,
            objective=objective,
            max_memory_bytes=parse_memory(max_memory, option="--max-memory")
            if max_memory
            else None,
            max_drift=_fraction(max_drift, "--max-drift", "0.05"),
            min_top1=_fraction(min_top1, "--min-top1", "0.99"),
            max_first_inference_s=_duration(max_first_inference, "--max-first-inference"),
            inputs_dir=inputs,
        )
        observer: QuietObserver | RichObserver = (
            QuietObserver(console) if quiet or json_output else RichObserver(console, percentile)
        )
        try:
            outcome = run(settings, observer)
        finally:
            if isinstance(observer, RichObserver):
                observer.stop()
        environment = collect_environment()
        if json_output:
            out.print_json(json.dumps(summary_json(outcome, environment)))
        elif not quiet:
            print_summary(console, outcome, environment)
        if not outcome.feasible:
            from autotune.export import no_feasible_error

            raise no_feasible_error(outcome.decision)

    _guard(body)


@app.command()
def report(
    study: StudyOpt = None,
    storage: StorageOpt = DEFAULT_STORAGE,
    output: Annotated[
        str | None,
        typer.Option(
            "-o", "--output", help="HTML file to write (default: the study's report.html)."
        ),
    ] = None,
    png: Annotated[
        bool,
        typer.Option(help="Also write the Pareto chart as PNG (needs kaleido and a Chromium)."),
    ] = False,
) -> None:
    """(Re)write the self-contained HTML report of a study."""

    def body() -> None:
        from autotune.report import write_report
        from autotune.workflow import load_study, study_out_dir

        s = load_study(study, storage)
        path = Path(output) if output else study_out_dir(s) / "report.html"
        written = write_report(s, storage, path)
        console.print(f"report: {written}")
        if png:
            from autotune.report import write_pareto_png

            console.print(f"png: {write_pareto_png(s, written.with_suffix('.png'))}")

    _guard(body)


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
        from autotune.export import BENCHMARK_APP_FILE, FORMATS, build_best_config, render
        from autotune.files import write_atomic
        from autotune.workflow import load_study, study_out_dir

        if fmt not in FORMATS:
            raise BadInputError(
                f"--format {fmt!r} is unknown", f"use one of: {', '.join(FORMATS)}"
            )
        limit = _duration(max_latency, "--max-latency")
        s = load_study(study, storage)
        doc = build_best_config(
            s, storage, trial=trial, max_latency_ms=limit * 1e3 if limit else None
        )
        target = output
        if target is None and fmt == "benchmark_app":
            # -load_config needs a file of its own (best_config.json is not in its format)
            target = str(study_out_dir(s) / BENCHMARK_APP_FILE)
        content, message = render(doc, fmt, target or "best_config.json")
        if target:
            write_atomic(target, content)
            console.print(f"wrote {target}")
        else:
            out.print(content, end="", highlight=False, soft_wrap=True)
        if message:
            console.print(message, highlight=False, soft_wrap=True)

    _guard(body)


@app.command()
def validate(
    config: Annotated[
        str, typer.Argument(help="A best_config.json written by autotune search/export.")
    ],
    rounds: Annotated[
        int, typer.Option(help="Interleaved rounds (config, LATENCY, THROUGHPUT each round).")
    ] = 10,
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
        from autotune.errors import ValidationFailedError
        from autotune.validate import validate as run

        if rounds < 2:
            raise BadInputError("--rounds must be at least 2", "e.g. --rounds 5")
        limit = _duration(max_latency, "--max-latency")
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

    _guard(body)


@app.command()
def compare(
    names: Annotated[list[str], typer.Argument(help="Two or more study names in the storage.")],
    storage: StorageOpt = DEFAULT_STORAGE,
    output: Annotated[
        str, typer.Option("-o", "--output", help="HTML file with the table and one Pareto chart.")
    ] = "compare.html",
) -> None:
    """Compare studies (e.g. one model on two machines or two OpenVINO versions): one table and
    one Pareto chart."""

    def body() -> None:
        from rich.table import Table

        from autotune.report import write_compare
        from autotune.workflow import load_study

        if len(names) < 2:
            raise BadInputError(
                "compare needs at least two study names", "e.g. autotune compare a b"
            )
        written, rows = write_compare([load_study(n, storage) for n in names], output)
        table = Table(width=100)
        for column in ("study", "CPU", "OpenVINO", "winner", "FPS", "latency", "× hint"):
            table.add_column(column, overflow="fold")
        for r in rows:
            table.add_row(
                r.study,
                r.cpu,
                r.openvino,
                r.winner,
                f"{r.throughput_fps:.1f}",
                f"{r.latency_ms:.2f} ms",
                f"{r.ratio:.2f}×",
            )
        out.print(table)
        console.print(f"compare: {written}")

    _guard(body)


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

        from autotune.deploy_profile import profile_config

        summary = profile_config(config, top=top, iterations=iterations)
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

    _guard(body)


@app.command()
def studies(storage: StorageOpt = DEFAULT_STORAGE) -> None:
    """List the studies in a storage: model, limit, trials, what ships and its throughput
    (confirmed where the confirmation measured it)."""

    def body() -> None:
        from rich.table import Table

        from autotune.overview import list_studies

        rows = list_studies(storage)
        if not rows:
            console.print(f"no studies in {storage}")
            return
        table = Table(width=120)
        for column in ("study", "model", "limit", "trials", "ships", "FPS", "× hint"):
            table.add_column(column, overflow="fold")
        for r in rows:
            fps = f"{r['fps']:.1f} ({r['source']})" if r["fps"] is not None else "–"
            ratio = f"{r['ratio']:.2f}×" if r["ratio"] is not None else "–"
            table.add_row(
                r["name"],
                r["model"],
                r["limit"],
                str(r["trials"]),
                r["shipped"] or "nothing",
                fps,
                ratio,
            )
        out.print(table)

    _guard(body)


@app.command()
def dashboard(
    storage: StorageOpt = DEFAULT_STORAGE,
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8080,
    host: Annotated[
        str, typer.Option(help="Interface to bind (default loopback; 0.0.0.0 exposes it).")
    ] = "127.0.0.1",
) -> None:
    """Serve optuna-dashboard on the study storage (Ctrl-C to stop)."""

    def body() -> None:
        from autotune.storage import open_storage

        try:
            import optuna_dashboard
        except ImportError:
            raise BadInputError(
                "optuna-dashboard is not installed", "pip install 'autotune[dashboard]'"
            ) from None
        backend = open_storage(storage, heartbeat=False, must_exist=True)
        console.print(f"optuna-dashboard on http://{host}:{port}/ (Ctrl-C to stop)")
        optuna_dashboard.run_server(backend, host=host, port=port)

    _guard(body)


@app.command()
def demo(
    trials: Annotated[int, typer.Option(help="Trials for the demo search.")] = 16,
    trial_time: Annotated[str, typer.Option(help="Measurement time per trial.")] = "1s",
    max_latency: Annotated[
        str, typer.Option(help="Latency limit (p90) for the demo search.")
    ] = "5ms",
    storage: StorageOpt = DEFAULT_STORAGE,
) -> None:
    """Build the embedded demo CNN (studies/demo/demo.xml) and run a short search on it."""

    def body() -> None:
        from autotune.runtime import build_demo_model

        path = build_demo_model(Path("studies") / "demo" / "demo.xml")
        console.print(f"demo model: {path} (8 conv/BN/ReLU blocks, 224×224, dynamic batch)")
        search(
            model=str(path),
            max_latency=max_latency,
            percentile=90.0,
            device="CPU",
            trials=trials,
            time_budget=None,
            trial_time=trial_time,
            shape="images[1,3,224,224]",
            max_batch=8,
            study="demo",
            storage=storage,
            out_dir=str(Path("studies") / "demo"),
            seed=0,
            trial_timeout=None,
            confirm_top=2,
            confirm_rounds=10,
            objective="throughput",
            max_memory=None,
            max_drift="0.05",
            min_top1="0.99",
            max_first_inference=None,
            inputs=None,
            force=True,
            allow_mixed_hardware=True,
            quiet=False,
            json_output=False,
        )

    _guard(body)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="autotune")


if __name__ == "__main__":
    main()
