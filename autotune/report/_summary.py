"""Which config to ship, as data: the verdict, each hint's findings, and one row per config
at its one figure."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from autotune.core import preset_label
from autotune.judge import (
    CONFIDENCE,
    Contender,
    Decision,
    Gain,
    Limits,
    format_confidence,
    format_margin,
)
from autotune.study import ConfigResult, TrialResult


@dataclass(frozen=True)
class SummaryRow:
    label: str
    role: str  # "winner", "LATENCY hint", "winner = LATENCY hint", "candidate"
    throughput_fps: float  # the config's figure: confirmed median, else search median
    interval: tuple[float, float] | None
    source: str  # "confirmed" or "search"
    latency_ms: dict[str, float]
    feasible: bool
    # this config ÷ the reference hint, as the judge states it (None without a reference)
    gain: Gain | None = None
    # server scenario: the proof of the stated rate (``throughput_fps``), as the judge's
    # RateClaim.to_dict() gives it: rate, status, arrivals, over, confidence, needed, looks
    claim: dict[str, Any] | None = None

    @property
    def ratio(self) -> dict[str, Any] | None:
        """``{"estimate", "low", "high", "n", "confidence", "source"}`` (low/high/confidence
        None when the figure is the search's, with no interval)."""
        return self.gain.to_dict() if self.gain is not None else None

    @property
    def unproven(self) -> bool:
        """A stated rate whose proof did not finish (the budget capped it)."""
        return self.claim is not None and not self.claim["proven"]

    @property
    def ratio_text(self) -> str:
        """``1.23× [1.10, 1.31]``, ``1.05× (search figures)`` or empty."""
        return self.gain.text() if self.gain is not None else ""


@dataclass(frozen=True)
class SummaryInfo:
    rows: tuple[SummaryRow, ...]
    verdict: str
    limits: str
    warnings: tuple[str, ...]
    failed: tuple[tuple[int, str], ...]
    environment: dict[str, Any] = field(default_factory=dict)
    unique_configs: int = 0
    complete_trials: int = 0
    duplicates: int = 0
    findings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    confirmation: str = ""  # "10 interleaved rounds, 97.9 % intervals" or why there are none
    unit: str = "FPS"  # "req/s" in the server scenario (the sustainable rate), "p90 ms"…
    figure: str = "throughput"  # what each row's figure is ("p90 latency")
    direction: str = "maximize"  # "minimize": lower is better
    reference: str = ""  # the hint every row's ratio is to ("" when no hint meets the limits)
    variant_gain: str = ""  # --quantize: the INT8 model against the user's, and what it costs
    # the winner ÷ each other hint, round by round (confirmed decisions): one bad round shows
    round_ratios: tuple[RoundRatios, ...] = ()
    # server scenario: what each stated rate rests on, one line per proven (or capped) config
    claims: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoundRatios:
    """The winner ÷ one hint in each confirmation round, with the rounds that went against the
    paired estimate (a ratio on the other side of 1): where an interval got its width."""

    hint: str  # the preset: "LATENCY", "THROUGHPUT f32"
    label: str  # "LATENCY hint", "THROUGHPUT hint, f32"
    ratios: tuple[float | None, ...]
    estimate: float
    against: tuple[int, ...]  # 0-based rounds


def round_ratios_info(decision: Decision) -> tuple[RoundRatios, ...]:
    winner = decision.winner
    if winner is None or not decision.confirmed:
        return ()
    out = []
    for name, ratios in decision.round_ratios.items():
        if name in winner.presets:
            continue  # the winner against itself
        estimate = decision.ratios[name].estimate
        against = tuple(
            i for i, r in enumerate(ratios) if r is not None and (r > 1) != (estimate > 1)
        )  # the other side of 1, whichever way the figure is better
        out.append(RoundRatios(name, preset_label(name), ratios, estimate, against))
    return tuple(out)


def _row(
    c: Contender, configs: dict[str, ConfigResult], role: str, gain: Gain | None
) -> SummaryRow:
    config = configs.get(c.key)
    return SummaryRow(
        label=config.effective.describe() if config else c.label,
        role=role,
        throughput_fps=c.stated_rate,
        # an interval of the rounds' medians, shown with the figure it is about
        interval=(c.throughput.low, c.throughput.high)
        if c.throughput.n > 1 and c.claim is None
        else None,
        source=_source(c),
        latency_ms=c.latency_ms,
        feasible=c.feasible,
        gain=gain,
        claim=c.claim.to_dict() if c.claim is not None else None,
    )


def _source(c: Contender) -> str:
    """Where a row's figure comes from: ``proven`` (the server scenario's proof), ``proof
    capped``, ``confirmed`` (the rounds' median) or ``search``."""
    if c.claim is not None:
        return "proven" if c.claim.proven else f"proof {c.claim.status}"
    return "confirmed" if c.confirmed else "search"


def summary_info(
    trials: list[TrialResult],
    configs: list[ConfigResult],
    limits: Limits,
    decision: Decision,
    environment: dict[str, Any],
) -> SummaryInfo:
    """The winner, the other confirmed candidates and every hint, each at its one figure."""
    by_key = {c.key: c for c in configs}
    winner = decision.winner
    rows: list[SummaryRow] = []
    shown = [c for c in decision.contenders if c is winner or c.confirmed or c.is_hint]
    figure = limits.figure
    for c in sorted(
        shown,
        key=lambda c: (c is not winner, c.is_hint, -figure.rank(c.throughput.estimate)),
    ):
        roles = [f"{c.label}"] if c.is_hint else []
        if c is winner:
            roles.insert(0, "winner")
        rows.append(_row(c, by_key, " = ".join(roles) or "candidate", decision.gains.get(c.key)))
    warnings: list[str] = []
    if winner is not None:
        stage = "confirmation rounds" if winner.confirmed else "search"
        warnings.extend(f"{stage}: {w}" for w in winner.warnings)
    rounds = max((len(c.rounds) for c in decision.contenders), default=0)
    if decision.confirmed and winner is not None:
        confirmation = _confirmation_text(decision, winner, rounds)
    else:
        confirmation = "not confirmed in interleaved rounds: figures are from the search"
    failed = tuple((t.number, t.fail_reason or t.state) for t in trials if t.state == "FAIL")
    return SummaryInfo(
        rows=tuple(rows),
        verdict=decision.verdict if winner is not None else f"{decision.problem} — {decision.fix}",
        limits=limits.describe(),
        warnings=tuple(dict.fromkeys(warnings)),
        failed=failed,
        environment=environment,
        unique_configs=len(configs),
        complete_trials=sum(1 for t in trials if t.measured),
        duplicates=sum(1 for t in trials if t.complete and t.duplicate_of is not None),
        findings=decision.findings,
        notes=decision.notes,
        confirmation=confirmation,
        unit=f"{figure.latency_key} ms" if figure.latency_key else figure.unit,
        figure=figure.name,
        direction=figure.direction,
        reference=decision.reference_hint.label if decision.reference_hint else "",
        variant_gain=decision.variant_gain,
        round_ratios=round_ratios_info(decision),
        claims=tuple(
            f"{c.label}: {c.claim.describe()}"
            for c in decision.contenders
            if c.claim is not None and (c is winner or c.is_hint)
        ),
    )


def _confirmation_text(decision: Decision, winner: Contender, rounds: int) -> str:
    """How many rounds ran and why, at what confidence the ratios were judged, and the tie
    margin."""
    note = f"; {decision.rounds_note}" if decision.rounds_note else ""
    looks = len(decision.looks)
    budget = f"{(1 - CONFIDENCE) * 100:g} %"
    shared = f", the last of {looks} looks sharing a {budget} error budget" if looks > 1 else ""
    return (
        f"confirmed over {rounds} interleaved rounds{note}; paired ratios at "
        f"{format_confidence(decision.confidence)}{shared}; ties need the ratio proven within "
        f"{format_margin(decision.tie_margin)}; {winner.figure.name} intervals are order-statistic "
        f"intervals of the median ({format_confidence(winner.throughput.confidence)} for "
        f"{rounds} rounds)"
    )
