"""Terminal output: the live progress of a search and the final summary (Rich)."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from autotune.measure import STABILITY_REMEDY, percentile_key
from autotune.tuning import SilentObserver

if TYPE_CHECKING:  # the search and the report load only when a command needs them
    from autotune.report import SummaryInfo
    from autotune.study import ConfigResult, TrialResult
    from autotune.tuning import SearchOutcome

WIDTH = 80


class QuietObserver(SilentObserver):
    """For --quiet/--json: no progress, but say why we wait or what we repaired (stderr)."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def message(self, text: str) -> None:
        if text.startswith(("waiting", "marked", "confirmation failed")):
            self.console.print(text, highlight=False, soft_wrap=True)


class RichObserver:
    """Draws a progress bar with the best-so-far throughput and its latency; an ETA from the
    time budget when there is one."""

    def __init__(self, console: Console, percentile: float, unit: str = "FPS") -> None:
        self.console = console
        self.key = percentile_key(percentile)
        self.unit = unit
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]trial"),
            MofNCompleteColumn(),
            BarColumn(bar_width=20),
            TimeElapsedColumn(),
            TextColumn("{task.fields[eta]}"),
            TextColumn("{task.fields[best]}"),
            console=console,
            transient=False,
        )
        self.task: Any = None
        self.started = time.monotonic()
        self.budget: float | None = None

    def message(self, text: str) -> None:
        self.console.print(text, style="dim")

    def search_started(self, study: str, done: int, total: int, budget_s: float | None) -> None:
        self.budget = budget_s
        self.started = time.monotonic()
        verb = "resuming" if done else "starting"
        self.console.print(f"{verb} study {study}: {done}/{total} trials done")
        self.progress.start()
        self.task = self.progress.add_task("search", total=total, completed=done, best="", eta="")

    def _eta(self) -> str:
        if self.budget is None:
            return ""
        left = max(0.0, self.budget - (time.monotonic() - self.started))
        return f"budget left {left:.0f}s"

    def trial_finished(
        self, trial: TrialResult, best: ConfigResult | None, done: int, total: int
    ) -> None:
        text = "no feasible config yet"
        if best is not None:
            latency = best.latency_ms.get(self.key, math.nan)
            if best.figure.lower_is_better:
                text = f"best {best.figure.name} {best.figure.format(best.figure_value)}"
            else:
                text = f"best {best.throughput_fps:.1f} {self.unit} @ {self.key} {latency:.2f} ms"
        if trial.state == "FAIL":
            self.progress.console.print(
                f"trial #{trial.number} failed: {trial.fail_reason}", style="yellow"
            )
        self.progress.update(self.task, completed=done, best=text, eta=self._eta())

    def confirmation_started(self, candidates: int, rounds: int, seconds: float) -> None:
        self.stop()
        self.console.print(
            f"confirming: {candidates} configurations × {rounds} interleaved rounds (≈ {seconds:.0f} s)…"
        )

    def stop(self) -> None:
        if self.task is not None:
            self.progress.stop()
            self.task = None


def summary_table(info: SummaryInfo) -> Table:
    """One row per config; "× hint" (each config ÷ the reference hint, as the judge states it)
    only when there is a reference hint."""
    ratios = any(row.gain is not None for row in info.rows)
    table = Table(width=WIDTH, show_lines=False, title_justify="left")
    table.add_column("", no_wrap=True)
    table.add_column("config", overflow="fold", ratio=1, min_width=24)
    table.add_column(info.unit, justify="right", no_wrap=True)
    table.add_column("p50", justify="right", no_wrap=True)
    table.add_column("p90", justify="right", no_wrap=True)
    table.add_column("p99", justify="right", no_wrap=True)
    if ratios:
        table.add_column("× hint", justify="right", no_wrap=True)

    def f(v: float, d: int = 2) -> str:
        """``d`` decimals, three significant digits below 1 (a 9 µs latency reads 0.00894)."""
        if not math.isfinite(v):
            return "–"
        return f"{v:.3g}" if 0 < abs(v) < 1 else f"{v:.{d}f}"

    for row in info.rows:
        style = "bold green" if "winner" in row.role else ("dim" if not row.feasible else "")
        table.add_row(
            row.role.replace(" hint", "").replace("candidate", "cand.")
            + ("" if row.feasible else " ✗"),
            row.label,
            f(row.throughput_fps, 1) + ("?" if row.unproven else ""),
            f(row.latency_ms.get("p50", math.nan)),
            f(row.latency_ms.get("p90", math.nan)),
            f(row.latency_ms.get("p99", math.nan)),
            *([row.gain.short() if row.gain is not None else "–"] if ratios else []),
            style=style,
        )
    return table


def outcome_summary(outcome: SearchOutcome, environment: dict[str, Any]) -> SummaryInfo:
    from autotune.report import summary_info

    return summary_info(
        outcome.trials, outcome.configs, outcome.limits, outcome.decision, environment
    )


def print_summary(console: Console, outcome: SearchOutcome, environment: dict[str, Any]) -> None:
    info = outcome_summary(outcome, environment)
    duplicates = f" (+{info.duplicates} duplicates not re-measured)" if info.duplicates else ""
    console.print(
        f"\nlimit: {info.limits} · {info.complete_trials} trials{duplicates}, "
        f"{info.unique_configs} unique configs · {outcome.elapsed_s:.0f} s"
    )
    console.print(summary_table(info))
    console.print(info.verdict, style="bold", highlight=False)
    for finding in info.findings:
        console.print(f"· {finding}", highlight=False)
    for claim in info.claims:
        console.print(f"· stated: {claim}", highlight=False)
    console.print(f"· {outcome.batch_axes.summary()}", highlight=False)
    for note in info.notes:
        console.print(f"⚠ {note}", style="yellow", highlight=False)
    if info.variant_gain:
        console.print(f"· {info.variant_gain}", highlight=False)
    ratios = (
        f", × hint is each config ÷ the {info.reference} (paired rounds; '(search)': the search "
        "figures' ratio)"
        if info.reference
        else ""
    )
    console.print(
        f"{info.confirmation}; {info.unit} are medians{ratios}"
        + (
            "; req/s is the stated rate: the highest Poisson arrival rate proven to hold the "
            "latency limit (? where the --confirm-time budget capped the proof)"
            if info.unit == "req/s"
            else ""
        ),
        style="dim",
        highlight=False,
    )
    for warning in info.warnings:
        console.print(
            f"⚠ {warning} — the result may be unstable: {STABILITY_REMEDY}",
            style="yellow",
        )
    if info.failed:
        console.print(
            f"{len(info.failed)} trial(s) failed; reasons in report.html", style="yellow"
        )
    for name, path in outcome.files.items():
        console.print(f"{name}: {path}")


def summary_json(outcome: SearchOutcome, environment: dict[str, Any]) -> dict[str, Any]:
    info = outcome_summary(outcome, environment)
    decision = outcome.decision
    winner = decision.winner
    return {
        "study": outcome.study_name,
        "storage": outcome.storage,
        "feasible": outcome.feasible,
        "limits": outcome.limits.to_dict(),
        "figure": {"name": info.figure, "unit": info.unit, "direction": info.direction},
        "verdict": info.verdict,
        "winner": None
        if winner is None
        else {
            "label": winner.label,
            "hint": winner.is_baseline,
            "throughput_fps": winner.throughput.to_dict(),
            "source": "confirmed" if winner.confirmed else "search",
            "search_throughput_fps": winner.search_throughput_fps,
            "constrained_latency_ms": winner.constrained_latency_ms,
            "stated_rate": winner.stated_rate if outcome.limits.sustainable else None,
            "claim": winner.claim.to_dict() if winner.claim is not None else None,
        },
        "reference_hint": decision.reference_hint.presets[0] if decision.reference_hint else None,
        "ratios": {k: v.to_dict() for k, v in decision.ratios.items()},
        "significant": decision.significant,
        "tied_with": list(decision.tied),
        "confirmation": decision.evidence() if decision.confirmed else None,
        "findings": list(decision.findings),
        "notes": list(decision.notes),
        "batch_axes": outcome.batch_axes.to_dict() | {"summary": outcome.batch_axes.summary()},
        "rows": [
            {
                "role": r.role,
                "label": r.label,
                "throughput_fps": r.throughput_fps,
                "interval": list(r.interval) if r.interval else None,
                "source": r.source,
                "latency_ms": r.latency_ms,
                "feasible": r.feasible,
                "ratio": r.ratio,
                "claim": r.claim,
            }
            for r in info.rows
        ],
        "claims": list(info.claims),
        "warnings": list(info.warnings),
        "failed_trials": [{"trial": n, "reason": reason} for n, reason in info.failed],
        "trials": info.complete_trials,
        "unique_configs": info.unique_configs,
        "elapsed_s": outcome.elapsed_s,
        "new_trials": outcome.new_trials,
        "files": {k: str(v) for k, v in outcome.files.items()},
    }
