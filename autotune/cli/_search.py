"""``autotune search`` and ``autotune demo``: parse, run the search with live progress, print
the judge's summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from autotune.cli._app import app, console, guard, out
from autotune.cli._console import (
    QuietObserver,
    RichObserver,
    print_summary,
    summary_json,
)
from autotune.cli._options import StorageOpt, duration, fraction
from autotune.core import parse_duration
from autotune.tuning import SearchSettings

# The defaults of `autotune search` are SearchSettings' own: typed once.
DEFAULTS = SearchSettings(model_path="")


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
    ] = DEFAULTS.percentile,
    device: Annotated[
        str | None,
        typer.Option(
            help="Devices to search, comma separated (CPU, AUTO, BATCH:CPU). Default: the real devices, AUTO when there are several, BATCH when it can batch the model."
        ),
    ] = None,
    trials: Annotated[
        int,
        typer.Option(
            help="Measured configurations the study should reach (failed trials and duplicates do not count; a rerun continues up to it)."
        ),
    ] = DEFAULTS.trials,
    time_budget: Annotated[
        str | None,
        typer.Option(
            help="Stop searching after this long, e.g. 10m (confirmation adds a little)."
        ),
    ] = None,
    trial_time: Annotated[
        str, typer.Option(help="Measurement time per trial, e.g. 2s (plus warm-up).")
    ] = f"{DEFAULTS.trial_time_s:g}s",
    shape: Annotated[
        str | None,
        typer.Option(help='Fix input shapes, benchmark_app syntax: "images[1,3,320,320]".'),
    ] = None,
    max_batch: Annotated[
        int, typer.Option(help="Largest batch to try (powers of two) when the batch can change.")
    ] = DEFAULTS.max_batch,
    study: Annotated[
        str | None,
        typer.Option(help="Study name (default: from model, shape, device and limit)."),
    ] = None,
    storage: StorageOpt = DEFAULTS.storage,
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
    ] = DEFAULTS.confirm_top,
    confirm_rounds: Annotated[
        int,
        typer.Option(
            help="Interleaved rounds in the confirmation stage (10 gives 97.9 % intervals)."
        ),
    ] = DEFAULTS.confirm_rounds,
    objective: Annotated[
        str,
        typer.Option(
            help="throughput (maximize under limits) or pareto (throughput ↑, latency ↓, memory ↓)."
        ),
    ] = DEFAULTS.objective,
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
    ] = f"{DEFAULTS.max_drift:g}",
    min_top1: Annotated[
        str,
        typer.Option(
            help="Accuracy guard: least top-1 agreement with f32 on outputs that are probability vectors (0.99); 'off' disables it."
        ),
    ] = f"{DEFAULTS.min_top1:g}",
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
        from autotune.core import parse_memory
        from autotune.tuning import SearchSettings

        settings = SearchSettings(
            model_path=model,
            shape=shape,
            max_latency_s=duration(max_latency, "--max-latency"),
            percentile=percentile,
            device=device,
            trials=trials,
            time_budget_s=duration(time_budget, "--time-budget"),
            trial_time_s=parse_duration(trial_time, option="--trial-time"),
            max_batch=max_batch,
            study_name=study,
            storage=storage,
            out_dir=out_dir,
            seed=seed,
            trial_timeout_s=duration(trial_timeout, "--trial-timeout"),
            confirm_top=confirm_top,
            confirm_rounds=confirm_rounds,
            force=force,
            allow_mixed_hardware=allow_mixed_hardware,
            objective=objective,
            max_memory_bytes=parse_memory(max_memory, option="--max-memory")
            if max_memory
            else None,
            max_drift=fraction(max_drift, "--max-drift", "0.05"),
            min_top1=fraction(min_top1, "--min-top1", "0.99"),
            max_first_inference_s=duration(max_first_inference, "--max-first-inference"),
            inputs_dir=inputs,
        )
        run_and_report(settings, quiet=quiet, json_output=json_output)

    guard(body)


def run_and_report(settings: SearchSettings, *, quiet: bool, json_output: bool) -> None:
    """Run a search with progress on the terminal, then the summary (or JSON); exit 3 when no
    configuration meets the limits."""
    from autotune._api import search as run
    from autotune.deploy import no_feasible_error
    from autotune.measure import collect_environment

    observer: QuietObserver | RichObserver = (
        QuietObserver(console)
        if quiet or json_output
        else RichObserver(console, settings.percentile)
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
        raise no_feasible_error(outcome.decision)


@app.command()
def demo(
    trials: Annotated[int, typer.Option(help="Trials for the demo search.")] = 16,
    trial_time: Annotated[str, typer.Option(help="Measurement time per trial.")] = "1s",
    max_latency: Annotated[
        str, typer.Option(help="Latency limit (p90) for the demo search.")
    ] = "5ms",
    storage: StorageOpt = DEFAULTS.storage,
) -> None:
    """Build the embedded demo CNN (studies/demo/demo.xml) and run a short search on it."""

    def body() -> None:
        from autotune.runtime import build_demo_model
        from autotune.tuning import SearchSettings

        folder = Path("studies") / "demo"
        path = build_demo_model(folder / "demo.xml")
        console.print(f"demo model: {path} (8 conv/BN/ReLU blocks, 224×224, dynamic batch)")
        settings = SearchSettings(
            model_path=str(path),
            shape="images[1,3,224,224]",
            max_latency_s=parse_duration(max_latency, option="--max-latency"),
            device="CPU",
            trials=trials,
            trial_time_s=parse_duration(trial_time, option="--trial-time"),
            study_name="demo",
            storage=storage,
            out_dir=str(folder),
            seed=0,
            confirm_top=2,
            force=True,
            allow_mixed_hardware=True,
        )
        run_and_report(settings, quiet=False, json_output=False)

    guard(body)
