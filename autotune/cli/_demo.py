"""``autotune demo``: build the embedded demo CNN and search it, with the search's own
progress and summary."""

from __future__ import annotations

from typing import Annotated

import typer

from autotune.cli._app import app, console, guard
from autotune.cli._options import StorageOpt
from autotune.cli._run import run_and_report
from autotune.core import parse_duration
from autotune.tuning import SearchSettings


@app.command(short_help="Search the embedded demo CNN (about a minute).")
def demo(
    trials: Annotated[int, typer.Option(help="Trials for the demo search.")] = 16,
    trial_time: Annotated[str, typer.Option(help="Measurement time per trial.")] = "1s",
    max_latency: Annotated[
        str, typer.Option(help="Latency limit (p90) for the demo search.")
    ] = "5ms",
    storage: StorageOpt = None,
) -> None:
    """Build the embedded demo CNN and run a short search on it ($AUTOTUNE_HOME/demo/)."""

    def body() -> None:
        from autotune.runtime import build_demo_model
        from autotune.study import default_out_dir, default_storage

        folder = default_out_dir("demo")
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
            storage=storage or default_storage(),
            out_dir=str(folder),
            seed=0,
            confirm_top=2,
            force=True,
            allow_mixed_hardware=True,
        )
        run_and_report(settings, quiet=False, json_output=False)

    guard(body)
