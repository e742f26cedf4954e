"""A search run from the terminal: progress on stderr, then the summary (or JSON) on stdout;
what ``autotune search`` and ``autotune demo`` share."""

from __future__ import annotations

import json

from autotune.cli._app import console, out
from autotune.cli._console import QuietObserver, RichObserver, print_summary, summary_json
from autotune.core import rate_unit
from autotune.tuning import SearchSettings


def run_and_report(settings: SearchSettings, *, quiet: bool, json_output: bool) -> None:
    """Run a search with progress on the terminal, then the summary (or JSON); exit 3 when no
    configuration meets the limits."""
    from autotune._api import search as run
    from autotune.deploy import no_feasible_error
    from autotune.measure import collect_environment

    observer: QuietObserver | RichObserver = (
        QuietObserver(console)
        if quiet or json_output
        else RichObserver(console, settings.percentile, rate_unit(settings.scenario))
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
        print_summary(out, outcome, environment)  # a result: stdout (progress went to stderr)
    if not outcome.feasible:
        raise no_feasible_error(outcome.decision)
