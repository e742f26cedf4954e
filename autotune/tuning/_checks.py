"""The numbers and combinations ``autotune search`` refuses, each with a one-line error that
names the problem and the fix, before anything is read or written."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from autotune.core import MULTI_STREAM, OFFLINE, SCENARIOS, SERVER, BadInputError

if TYPE_CHECKING:
    from autotune.tuning._settings import SearchSettings

OBJECTIVES = ("throughput", "pareto", "latency")
CALIBRATIONS = ("inputs", "random")


def validate_settings(s: SearchSettings) -> None:
    """Reject impossible numbers before anything is read or written."""
    if not 0 < s.percentile <= 100:
        raise BadInputError(
            f"--percentile must be in (0, 100], got {s.percentile:g}", "e.g. --percentile 90"
        )
    if s.trials < 1:
        raise BadInputError(f"--trials must be at least 1, got {s.trials}", "e.g. --trials 30")
    if s.max_batch < 1:
        raise BadInputError(
            f"--max-batch must be at least 1, got {s.max_batch}", "e.g. --max-batch 8"
        )
    if s.max_latency_s is not None and not s.max_latency_s > 0:
        raise BadInputError("--max-latency must be positive", "e.g. --max-latency 20ms")
    if not s.trial_time_s > 0:
        raise BadInputError("--trial-time must be positive", "e.g. --trial-time 2s")
    if s.confirm_rounds < 2 and s.confirm_top > 0:
        raise BadInputError(
            "--confirm-rounds must be at least 2 to give an interval",
            "e.g. --confirm-rounds 5, or --confirm-top 0 to skip confirmation",
        )
    if s.max_rounds is not None and s.max_rounds < s.confirm_rounds:
        raise BadInputError(
            f"--max-rounds {s.max_rounds} is below --confirm-rounds {s.confirm_rounds}",
            f"e.g. --max-rounds {2 * s.confirm_rounds}, or "
            f"--max-rounds {s.confirm_rounds} to never add rounds",
        )
    if not 0 <= s.tie_margin <= 0.5:
        raise BadInputError(
            f"--tie-margin must be between 0 and 0.5, got {s.tie_margin:g}",
            "a fraction: e.g. --tie-margin 0.05 for ±5 %",
        )
    if not s.confirm_time_s >= 0:
        raise BadInputError(
            "--confirm-time must not be negative", "e.g. --confirm-time 4m, or off not to prove"
        )
    if s.max_samples < 1:
        raise BadInputError(
            f"--max-samples must be at least 1, got {s.max_samples}", "e.g. --max-samples 300"
        )
    if s.scenario not in SCENARIOS:
        raise BadInputError(
            f"--scenario {s.scenario!r} is unknown", f"use one of: {', '.join(SCENARIOS)}"
        )
    _check_latency_objective(s)
    if s.scenario == SERVER and s.max_latency_s is None and s.objective != "latency":
        raise BadInputError(
            "the server scenario needs a latency limit (the sustainable rate is the rate that "
            "holds it)",
            "add --max-latency, e.g. --max-latency 20ms",
        )
    if s.rate is not None and s.scenario != SERVER:
        raise BadInputError(
            "--rate applies to the server scenario", "add --scenario server, or drop --rate"
        )
    if s.rate is not None and not s.rate > 0:
        raise BadInputError("--rate must be positive", "e.g. --rate 150")
    if s.scenario != OFFLINE and s.objective == "pareto":
        raise BadInputError(
            f"--objective pareto is not available in the {s.scenario} scenario",
            "drop --objective (the scenario's own figure is the objective)",
        )
    _check_streams(s)
    if s.calibration not in CALIBRATIONS:
        raise BadInputError(
            f"--calibration {s.calibration!r} is unknown", "use inputs (the default) or random"
        )
    if s.quantize and s.calibration == "inputs" and s.inputs_dir is None:
        raise BadInputError(
            "--quantize needs real samples to calibrate on (random data gives meaningless ranges)",
            "add --inputs DIR (.npy samples), or --calibration random to accept unknown accuracy",
        )
    if (s.accuracy_fn is None) != (s.max_drop is None):
        raise BadInputError(
            "--accuracy-fn and --max-drop go together",
            "e.g. --accuracy-fn mymetrics:top5 --max-drop 0.01",
        )
    if s.accuracy_fn is not None and s.inputs_dir is None:
        raise BadInputError(
            "--accuracy-fn needs the samples it is computed on", "add --inputs DIR"
        )
    if s.max_drop is not None and s.max_drop < 0:
        raise BadInputError("--max-drop must not be negative", "e.g. --max-drop 0.01")
    if s.objective not in OBJECTIVES:
        raise BadInputError(
            f"--objective {s.objective!r} is unknown", f"use one of: {', '.join(OBJECTIVES)}"
        )
    if s.max_drift is not None and s.max_drift < 0:
        raise BadInputError("--max-drift must not be negative", "e.g. --max-drift 0.05")
    if s.min_top1 is not None and not 0 <= s.min_top1 <= 1:
        raise BadInputError(
            f"--min-top1 must be between 0 and 1, got {s.min_top1:g}", "e.g. --min-top1 0.99"
        )
    if s.study_name is not None and not re.fullmatch(
        r"[A-Za-z0-9][A-Za-z0-9._-]{0,120}", s.study_name
    ):
        raise BadInputError(
            f"--study {s.study_name!r} is not a usable name",
            "use letters, digits, '.', '_' and '-' (it also names the output folder)",
        )


def _check_latency_objective(s: SearchSettings) -> None:
    """--objective latency: the lowest latency percentile — of the sync loop (single-stream),
    at K sources (multi-stream --streams K) or at a Poisson rate (server --rate R)."""
    if s.objective != "latency":
        return
    if s.scenario == OFFLINE:
        raise BadInputError(
            "--objective latency needs a scenario whose load does not depend on the config",
            "add --scenario single-stream (one request at a time), or --scenario server "
            "--rate R (Poisson arrivals at R req/s)",
        )
    if s.scenario == SERVER and s.rate is None:
        raise BadInputError(
            "--objective latency in the server scenario needs the rate the latency is measured at",
            "add --rate, e.g. --rate 40",
        )
    if s.scenario == MULTI_STREAM and s.streams is None:
        raise BadInputError(
            "--objective latency in the multi-stream scenario needs the number of sources",
            "add --streams, e.g. --streams 4",
        )


def _check_streams(s: SearchSettings) -> None:
    """--fps and --streams belong to the multi-stream scenario, which needs --fps, and a limit
    when it counts the sources a config holds."""
    if s.scenario != MULTI_STREAM:
        for name, value in (("--fps", s.fps), ("--streams", s.streams)):
            if value is not None:
                raise BadInputError(
                    f"{name} applies to the multi-stream scenario",
                    f"add --scenario multi-stream, or drop {name}",
                )
        return
    if s.fps is None:
        raise BadInputError(
            "the multi-stream scenario needs the frame rate of each source",
            "add --fps, e.g. --fps 30",
        )
    if not s.fps > 0:
        raise BadInputError("--fps must be positive", "e.g. --fps 30")
    if s.streams is not None and s.streams < 1:
        raise BadInputError(f"--streams must be at least 1, got {s.streams}", "e.g. --streams 4")
    if s.streams is None and s.max_latency_s is None:
        raise BadInputError(
            "counting the sources a config holds needs a latency limit",
            "add --max-latency, e.g. --max-latency 50ms, or fix the count with --streams K",
        )
