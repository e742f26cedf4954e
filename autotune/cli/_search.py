"""``autotune search``: parse, run the search with live progress, print the judge's
summary."""

from __future__ import annotations

import math
from enum import Enum
from typing import Annotated

import typer

from autotune.cli._app import app, guard
from autotune.cli._options import StorageOpt, duration, fraction
from autotune.cli._run import run_and_report
from autotune.core import SCENARIOS, parse_duration, parse_rate
from autotune.judge import ROUNDS_STEP
from autotune.tuning import (  # light: tuning loads lazily
    CALIBRATIONS,
    DEFAULT_MAX_ROUNDS,
    OBJECTIVES,
    SearchSettings,
)

# The defaults of `autotune search` are SearchSettings' own: typed once.
DEFAULTS = SearchSettings(model_path="")
Objective = Enum("Objective", {name: name for name in OBJECTIVES}, type=str)  # type: ignore[misc]
DEFAULT_OBJECTIVE = Objective(DEFAULTS.objective)
Scenario = Enum("Scenario", {name: name for name in SCENARIOS}, type=str)  # type: ignore[misc]
DEFAULT_SCENARIO = Scenario(DEFAULTS.scenario)
Calibration = Enum("Calibration", {name: name for name in CALIBRATIONS}, type=str)  # type: ignore[misc]
DEFAULT_CALIBRATION = Calibration(DEFAULTS.calibration)

LIMITS = "Limits"
SPACE = "Search space"
MEASURE = "Measurement"
GUARDS = "Accuracy, memory and start-up guards"
OUTPUT = "Study, storage and output"


@app.command(short_help="Find the fastest config under your limits; ship it only if proven.")
def search(
    model: Annotated[
        str, typer.Argument(help="Model file: OpenVINO IR .xml (with its .bin) or .onnx.")
    ],
    max_latency: Annotated[
        str | None,
        typer.Option(
            help="Limit on the latency percentile, with a unit: 20ms, 0.02s, 500us. "
            "Omit to maximize throughput.",
            rich_help_panel=LIMITS,
        ),
    ] = None,
    percentile: Annotated[
        float | None,
        typer.Option(
            help="The latency percentile the limit applies to, and the figure of single-stream "
            "(default: 90; 99 for --scenario server and multi-stream).",
            rich_help_panel=LIMITS,
        ),
    ] = None,
    scenario: Annotated[
        Scenario,
        typer.Option(
            help="offline: a closed loop, judged on throughput (benchmark_app's way); server: "
            "Poisson arrivals, judged on the highest rate that holds --max-latency; "
            "single-stream: one request at a time (the sync loop), judged on the lowest "
            "--percentile latency; multi-stream: --fps periodic sources, judged on the most "
            "sources held at --max-latency (or the latency at --streams).",
            rich_help_panel=LIMITS,
        ),
    ] = DEFAULT_SCENARIO,
    rate: Annotated[
        str | None,
        typer.Option(
            help="Server scenario: the requests/s a config must hold at the limit, e.g. 150; "
            "with --objective latency, the Poisson rate every config is measured at.",
            rich_help_panel=LIMITS,
        ),
    ] = None,
    fps: Annotated[
        float | None,
        typer.Option(
            help="Multi-stream scenario: frames/s of each source (camera), e.g. 30.",
            rich_help_panel=LIMITS,
        ),
    ] = None,
    streams: Annotated[
        int | None,
        typer.Option(
            help="Multi-stream scenario: the number of sources; the figure is then the latency "
            "percentile at that count (default: the most sources held at --max-latency).",
            rich_help_panel=LIMITS,
        ),
    ] = None,
    objective: Annotated[
        Objective,
        typer.Option(
            help="throughput (the fastest config under the limits), pareto (also low latency "
            "and memory), or latency (the lowest latency percentile: single-stream, server "
            "with --rate R, multi-stream with --streams K).",
            rich_help_panel=LIMITS,
        ),
    ] = DEFAULT_OBJECTIVE,
    device: Annotated[
        str | None,
        typer.Option(
            help="Devices, comma separated (CPU, AUTO, BATCH:CPU). Default: the real ones; AUTO "
            "when it has a choice; BATCH when it can batch the model.",
            rich_help_panel=SPACE,
        ),
    ] = None,
    shape: Annotated[
        str | None,
        typer.Option(
            help='Input shapes, benchmark_app syntax: "images[1,3,320,320]"; the traffic\'s mix '
            'with ranges or weighted sizes: "x[1,3,48,96..512]", "x[1,3,48,128:0.5|256:0.5]".',
            rich_help_panel=SPACE,
        ),
    ] = None,
    pad: Annotated[
        str | None,
        typer.Option(
            help="Pad value of each input whose shape varies, e.g. x=0: lets the search try "
            "static buckets (requests padded up to k shapes).",
            rich_help_panel=SPACE,
        ),
    ] = None,
    layout: Annotated[
        str | None,
        typer.Option(
            help='Where the batch is, benchmark_app syntax: "input[N...],state[?N?]" (default: '
            "found by shape inference, then proven in f32 with distinct samples).",
            rich_help_panel=SPACE,
        ),
    ] = None,
    max_batch: Annotated[
        int,
        typer.Option(
            help="Largest batch to try (powers of two) when the batch can change.",
            rich_help_panel=SPACE,
        ),
    ] = DEFAULTS.max_batch,
    trials: Annotated[
        int,
        typer.Option(
            help="Configurations to measure (a rerun continues up to it; failed trials and "
            "duplicates do not count).",
            rich_help_panel=MEASURE,
        ),
    ] = DEFAULTS.trials,
    trial_time: Annotated[
        str,
        typer.Option(help="Measurement time per trial, e.g. 2s.", rich_help_panel=MEASURE),
    ] = f"{DEFAULTS.trial_time_s:g}s",
    time_budget: Annotated[
        str | None,
        typer.Option(
            help="Stop searching after this long, e.g. 10m (confirmation adds a little).",
            rich_help_panel=MEASURE,
        ),
    ] = None,
    trial_timeout: Annotated[
        str | None,
        typer.Option(
            help="Kill a trial after this long (default 120s + 4 × trial time).",
            rich_help_panel=MEASURE,
        ),
    ] = None,
    confirm_top: Annotated[
        int,
        typer.Option(
            help="Best configs re-measured against the hints at the end (0: skip; then no "
            "tuned config can be shown better than a hint).",
            rich_help_panel=MEASURE,
        ),
    ] = DEFAULTS.confirm_top,
    confirm_rounds: Annotated[
        int,
        typer.Option(
            help="Interleaved confirmation rounds (10 give 97.9 % intervals; fewer than 6 "
            "cannot show a gain).",
            rich_help_panel=MEASURE,
        ),
    ] = DEFAULTS.confirm_rounds,
    max_rounds: Annotated[
        int | None,
        typer.Option(
            help="Most confirmation rounds: while the rounds cannot decide what ships, "
            f"{ROUNDS_STEP} more at a time up to this (default: twice --confirm-rounds, "
            f"{DEFAULT_MAX_ROUNDS}; equal to --confirm-rounds: never add rounds).",
            rich_help_panel=MEASURE,
        ),
    ] = None,
    tie_margin: Annotated[
        float,
        typer.Option(
            help="Configs are tied only when their ratio is proven within this margin "
            "(0.05 = ±5 %); then the lower latency ships.",
            rich_help_panel=MEASURE,
        ),
    ] = DEFAULTS.tie_margin,
    confirm_time: Annotated[
        str,
        typer.Option(
            help="Server scenario: the measured time each proof of a stated rate (the "
            "winner's and each hint's) may take, on enough Poisson arrivals for p99 at 99 %, "
            "e.g. 10m; off states the rounds' rates unproven.",
            rich_help_panel=MEASURE,
        ),
    ] = f"{DEFAULTS.confirm_time_s:g}s",
    seed: Annotated[
        int | None,
        typer.Option(help="Sampler seed, for a repeatable sequence.", rich_help_panel=MEASURE),
    ] = None,
    max_drift: Annotated[
        str,
        typer.Option(
            help="Largest relative L2 error of an output vs f32 (0.05 = 5 %), or off.",
            rich_help_panel=GUARDS,
        ),
    ] = f"{DEFAULTS.max_drift:g}",
    min_top1: Annotated[
        str,
        typer.Option(
            help="Least top-1 agreement with f32 on probability outputs, or off.",
            rich_help_panel=GUARDS,
        ),
    ] = f"{DEFAULTS.min_top1:g}",
    inputs: Annotated[
        str | None,
        typer.Option(
            help="Folder of .npy samples for the accuracy guard and INT8 calibration (default: "
            "seeded random data).",
            rich_help_panel=GUARDS,
        ),
    ] = None,
    max_samples: Annotated[
        int,
        typer.Option(
            help="The accuracy guard uses every --inputs sample up to this many, in every trial "
            "(showing top-1 agreement ≥ 0.99 at 95 % takes 299).",
            rich_help_panel=GUARDS,
        ),
    ] = DEFAULTS.max_samples,
    accuracy_fn: Annotated[
        str | None,
        typer.Option(
            help="Your metric of the outputs on --inputs, module:function, higher is better.",
            rich_help_panel=GUARDS,
        ),
    ] = None,
    max_drop: Annotated[
        float | None,
        typer.Option(
            help="Largest drop of --accuracy-fn against f32, e.g. 0.01.", rich_help_panel=GUARDS
        ),
    ] = None,
    quantize: Annotated[
        bool,
        typer.Option(
            "--quantize",
            help="Also search an INT8 variant of the model (NNCF, calibrated on --inputs).",
            rich_help_panel=SPACE,
        ),
    ] = False,
    calibration: Annotated[
        Calibration,
        typer.Option(
            help="inputs: calibrate INT8 on --inputs; random: on seeded noise (accuracy then "
            "unknown).",
            rich_help_panel=SPACE,
        ),
    ] = DEFAULT_CALIBRATION,
    max_memory: Annotated[
        str | None,
        typer.Option(
            help="Limit on peak memory above the idle runtime, e.g. 1.5G.",
            rich_help_panel=GUARDS,
        ),
    ] = None,
    max_first_inference: Annotated[
        str | None,
        typer.Option(
            help="Limit on compile (from cache) + first inference, e.g. 500ms.",
            rich_help_panel=GUARDS,
        ),
    ] = None,
    study: Annotated[
        str | None,
        typer.Option(
            help="Study name (default: from model, shape, device and limit).",
            rich_help_panel=OUTPUT,
        ),
    ] = None,
    storage: StorageOpt = None,
    out_dir: Annotated[
        str | None,
        typer.Option(
            "--out-dir",
            help="Folder for best_config.json, report.html and the compile cache "
            "(default: studies/<study>, or $AUTOTUNE_HOME/<study>).",
            rich_help_panel=OUTPUT,
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace a study of this name made for another model or limits.",
            rich_help_panel=OUTPUT,
        ),
    ] = False,
    allow_mixed_hardware: Annotated[
        bool,
        typer.Option(
            "--allow-mixed-hardware",
            help="Join a study recorded on other hardware.",
            rich_help_panel=OUTPUT,
        ),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", help="No progress output.", rich_help_panel=OUTPUT)
    ] = False,
    json_output: Annotated[
        bool,
        typer.Option(
            "--json", help="A machine-readable summary on stdout.", rich_help_panel=OUTPUT
        ),
    ] = False,
) -> None:
    """Search runtime configurations, measure each on the real runtime, ship the best one that
    is proven faster than the hints (or the hint). Writes best_config.json and report.html."""

    def body() -> None:
        from autotune.core import parse_memory
        from autotune.study import default_storage

        settings = SearchSettings(
            model_path=model,
            shape=shape,
            pad=pad,
            layout=layout,
            max_latency_s=duration(max_latency, "--max-latency"),
            percentile=percentile if percentile is not None else math.nan,
            scenario=scenario.value,
            rate=parse_rate(rate, option="--rate") if rate is not None else None,
            fps=fps,
            streams=streams,
            device=device,
            trials=trials,
            time_budget_s=duration(time_budget, "--time-budget"),
            trial_time_s=parse_duration(trial_time, option="--trial-time"),
            max_batch=max_batch,
            study_name=study,
            storage=storage or default_storage(),
            out_dir=out_dir,
            seed=seed,
            trial_timeout_s=duration(trial_timeout, "--trial-timeout"),
            confirm_top=confirm_top,
            confirm_rounds=confirm_rounds,
            max_rounds=max_rounds,
            tie_margin=tie_margin,
            confirm_time_s=0.0
            if confirm_time.strip().lower() == "off"
            else parse_duration(confirm_time, option="--confirm-time"),
            force=force,
            allow_mixed_hardware=allow_mixed_hardware,
            objective=objective.value,
            max_memory_bytes=parse_memory(max_memory, option="--max-memory")
            if max_memory
            else None,
            max_drift=fraction(max_drift, "--max-drift", "0.05"),
            min_top1=fraction(min_top1, "--min-top1", "0.99"),
            max_first_inference_s=duration(max_first_inference, "--max-first-inference"),
            inputs_dir=inputs,
            max_samples=max_samples,
            quantize=quantize,
            calibration=calibration.value,
            accuracy_fn=accuracy_fn,
            max_drop=max_drop,
        )
        run_and_report(settings, quiet=quiet, json_output=json_output)

    guard(body)
