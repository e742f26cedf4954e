"""The words of a decision: what each hint meets and misses, the verdict, and what to relax
when nothing qualifies. Every figure quoted comes from the contenders the decision used."""

from __future__ import annotations

import math
from collections.abc import Sequence

from autotune.judge._claims import format_share
from autotune.judge._contender import Contender
from autotune.judge._intervals import format_confidence
from autotune.judge._limits import ACCURACY_CONSTRAINTS as ACCURACY
from autotune.judge._limits import Limits


def ms(value: float) -> str:
    """``1.62 ms``, ``0.0318 ms``."""
    return f"{value:.3g} ms" if math.isfinite(value) else "– ms"


def _name(c: Contender) -> str:
    """``the LATENCY hint in bf16`` / ``the LATENCY hint, f32`` / ``CPU NONE 2s 2t b4 …``."""
    if c.is_hint:
        label = " = ".join(c.label.split(" = ")[:1])
        return f"the {label}" + ("" if c.config.precision else f" in {c.precision}")
    return c.label


def _clauses(c: Contender, limits: Limits) -> tuple[list[str], list[str], list[str]]:
    """(what it meets, the same in short, what it misses), each with its figure."""
    met: list[str] = []
    short: list[str] = []
    missed: list[str] = []
    v = c.violations
    rate = c.stated_rate
    if "latency" in v and limits.sustainable:
        key, limit = limits.latency_key, limits.max_latency_ms
        proof = _proof_text(c)
        if v["latency"] <= 0:
            met.append(f"holds {key} ≤ {limit:g} ms up to {rate:.4g} req/s{proof}")
            short.append(
                f"{rate:.4g} req/s at {key} {ms(c.constrained_latency_ms)} ≤ {limit:g} ms{proof}"
            )
        elif c.claim is not None and c.claim.status in ("exhausted", "refuted"):
            missed.append(f"misses it: {c.claim.describe()}")
        else:
            missed.append(
                f"misses {key} ≤ {limit:g} ms even at the lowest rate tried "
                f"({ms(c.constrained_latency_ms)})"
            )
    elif "latency" in v:
        key = limits.latency_key
        latency = c.constrained_latency_ms
        tail = c.tail
        counts = (
            f"{tail.over} of {tail.n} requests over it, ≤ {format_share(tail.bound)} at "
            f"{format_confidence(tail.confidence)}"
            if tail is not None
            else ""
        )
        if v["latency"] <= 0:
            met.append(
                f"meets {key} ≤ {limits.max_latency_ms:g} ms ({ms(latency)}"
                + (f"; {counts}" if counts else "")
                + ")"
            )
            short.append(f"{key} {ms(latency)} ≤ {limits.max_latency_ms:g} ms")
        elif tail is not None and latency <= (limits.max_latency_ms or 0.0):
            missed.append(
                f"does not show {key} ≤ {limits.max_latency_ms:g} ms on its few requests "
                f"({counts}; showing it takes about {tail.needed} effective requests: "
                "measure longer with --trial-time)"
            )
        else:
            missed.append(f"takes {ms(latency)} at {key} (limit {limits.max_latency_ms:g} ms)")
    if "rate" in v and v["rate"] > 0:
        missed.append(f"sustains only {rate:.4g} req/s < {limits.min_rate:g} req/s")
    acc = c.accuracy
    if "unknown" in v and acc is not None and v["unknown"] > 0:
        missed.append(f"cannot be checked against f32 ({acc.unknown_text()})")
    if "drift" in v and acc is not None and acc.rel_l2 is not None:
        if v["drift"] <= 0:
            met.append(f"keeps its outputs (relative L2 {acc.rel_l2:.3g} ≤ {limits.max_drift:g})")
            short.append(f"relative L2 {acc.rel_l2:.3g} ≤ {limits.max_drift:g}")
        else:
            missed.append(f"drifts {acc.rel_l2:.3g} > {limits.max_drift:g} (relative L2 vs f32)")
    if "top1" in v and acc is not None and acc.top1 is not None:
        count = acc.top1_text(limits.min_top1)
        count = f" ({count})" if count else ""
        if v["top1"] <= 0:
            short.append(f"top-1 agreement {acc.top1:.2f} ≥ {limits.min_top1:g}{count}")
        else:
            missed.append(
                f"changes top-1 answers (agreement {acc.top1:.2f} < {limits.min_top1:g}{count})"
            )
    if "metric" in v and acc is not None and acc.metric_drop is not None:
        if v["metric"] <= 0:
            short.append(f"metric drop {acc.metric_drop:.3g} ≤ {limits.max_drop:g}")
        else:
            missed.append(
                f"loses {acc.metric_drop:.3g} of --accuracy-fn (limit {limits.max_drop:g})"
            )
    if "memory" in v and c.memory_bytes is not None and v["memory"] > 0:
        assert limits.max_memory_bytes is not None
        missed.append(
            f"uses {c.memory_bytes / 1e6:.0f} MB > {limits.max_memory_bytes / 1e6:.0f} MB"
        )
    if "first_inference" in v and c.to_first_result_ms is not None and v["first_inference"] > 0:
        missed.append(
            f"needs {ms(c.to_first_result_ms)} to a first result "
            f"(limit {limits.max_first_inference_ms:g} ms)"
        )
    return met, short, missed


def _proof_text(c: Contender) -> str:
    """`` (proven: 2752 arrivals, 9 over the limit, 99 %)``, `` (not proven: …)`` or empty."""
    claim = c.claim
    if claim is None:
        return ""
    if claim.proven:
        bursts = (
            f" in bursts of {claim.evidence.spread:.1f}" if claim.evidence.spread > 1.05 else ""
        )
        return (
            f" (proven: {claim.arrivals} arrivals, {claim.over} over the limit{bursts}, "
            f"{format_confidence(claim.plan.confidence)})"
        )
    where = (
        f"{claim.arrivals} arrivals at it in the --confirm-time budget"
        if claim.arrivals
        else "the --confirm-time budget ended before this rate was measured"
    )
    return f" (not proven: {where}; a proof takes about {claim.needed} arrivals)"


def finding(c: Contender, limits: Limits) -> str:
    """One config against every limit, e.g. ``the LATENCY hint in bf16 meets p90 ≤ 2.2 ms
    (1.6 ms) but drifts 0.085 > 0.05 (relative L2 vs f32)``."""
    met, short, missed = _clauses(c, limits)
    if not missed:
        return f"{_name(c)} meets every limit" + (f": {', '.join(short)}" if short else "")
    if met:
        return f"{_name(c)} {', '.join(met)} but {' and '.join(missed)}"
    return f"{_name(c)} {' and '.join(missed)}"


def claim_notes(
    winner: Contender, hints: Sequence[Contender], limits: Limits, confirmed: bool
) -> tuple[str, ...]:
    """What the stated rates rest on, where that is less than a proof: a proof the
    --confirm-time budget capped, or rates from the rounds alone."""
    if not limits.sustainable or not confirmed:
        return ()
    shown = list({c.key: c for c in (winner, *hints)}.values())
    capped = [c for c in shown if c.claim is not None and c.claim.status == "capped"]
    notes = [
        f"{c.label}: {c.claim.describe()} — raise --confirm-time to prove it"
        for c in capped
        if c.claim is not None
    ]
    if winner.claim is None:
        notes.append(
            "the stated rates are medians of the rounds' short searches, not proven on enough "
            "arrivals (a --confirm-time of 0, or a study from before proofs)"
        )
    return tuple(notes)


def accuracy_caveat(winner: Contender, limits: Limits) -> str:
    """What the samples cannot support about the shipped config's accuracy, said plainly: its
    top-1 agreement meets the limit on the samples, but they are too few to show it at 95 %
    (``top-1 agreement ≥ 0.99 is not shown: 32/32 samples agree, ≥ 0.911 at 95 %; showing
    ≥ 0.99 takes 299 samples``)."""
    acc = winner.accuracy
    if acc is None or limits.min_top1 is None or winner.violations.get("top1", 1.0) > 0:
        return ""
    claim = acc.top1_claim(limits.min_top1)
    if claim is None or claim.holds:
        return ""
    more = (
        "pass more with --inputs (all are used, up to --max-samples)"
        if not acc.random_inputs
        else "pass your own with --inputs"
    )
    return (
        f"top-1 agreement ≥ {limits.min_top1:g} is not shown: {acc.top1_text(limits.min_top1)} "
        f"({more})"
    )


def accuracy_binds(c: Contender) -> bool:
    return any(name in ACCURACY for name in c.missed)


def accuracy_note(
    contenders: Sequence[Contender],
    winner: Contender | None,
    comparisons: Sequence[tuple[Contender, str]],
) -> str:
    """When the device's default precision changes the answers: say so, and how the accurate
    winner compares to the accurate hint and to the hint users run today, e.g. ``the default
    bf16 changes the outputs (…); fastest accurate config: …, 1.02× the THROUGHPUT hint, f32,
    0.61× the THROUGHPUT hint in bf16``."""
    excluded = [c for c in contenders if c.at_default_precision and accuracy_binds(c)]
    if not excluded:
        return ""
    worst = excluded[0]
    figures = worst.accuracy.describe() if worst.accuracy is not None else ""
    text = f"the default {worst.precision} changes the outputs ({figures})"
    if winner is None:
        return text
    parts = [f"fastest accurate config: {winner.label}"]
    parts.extend(f"{ratio} {_name(hint)}" for hint, ratio in comparisons)
    return f"{text}; " + ", ".join(parts)


def suggestions(contenders: Sequence[Contender], limits: Limits) -> list[str]:
    """The smallest relaxation that would let some config through, per kind of limit: the
    fastest-to-qualify config among those that miss only that kind."""
    fixes: list[str] = []
    binding = {name for c in contenders for name in c.missed}

    def only(kinds: set[str]) -> list[Contender]:
        return [c for c in contenders if c.missed and set(c.missed) <= kinds]

    if "latency" in binding:
        latencies = [c.constrained_latency_ms for c in only({"latency"})]
        latencies = [x for x in latencies if math.isfinite(x)]
        fixes.append(
            f"--max-latency {_ceil(min(latencies))}ms" if latencies else "a higher --max-latency"
        )
        unshown = [
            c
            for c in only({"latency"})
            if c.tail is not None and c.constrained_latency_ms <= (limits.max_latency_ms or 0.0)
        ]
        if unshown:
            fixes.append("a longer --trial-time (too few requests to show the percentile)")
    if binding & set(ACCURACY):
        near = [c for c in only(set(ACCURACY)) if c.accuracy is not None]
        if near:
            best = min(near, key=_drift_of)
            assert best.accuracy is not None
            parts = []
            if "drift" in best.missed and best.accuracy.rel_l2 is not None:
                parts.append(f"--max-drift {_ceil(best.accuracy.rel_l2)}")
            if "top1" in best.missed and best.accuracy.top1 is not None:
                parts.append(f"--min-top1 {math.floor(best.accuracy.top1 * 100) / 100:g}")
            if "metric" in best.missed and best.accuracy.metric_drop is not None:
                parts.append(f"--max-drop {_ceil(best.accuracy.metric_drop)}")
            fixes.append(" with ".join(parts))
        else:
            fixes.append("a looser accuracy guard (--max-drift, --min-top1)")
    if "rate" in binding:
        rates = [c.stated_rate for c in only({"rate"})]
        fixes.append(
            f"--rate {math.floor(max(rates) * 100) / 100:g}" if rates else "a lower --rate"
        )
    if "memory" in binding:
        fixes.append("a higher --max-memory")
    if "first_inference" in binding:
        fixes.append("a higher --max-first-inference")
    return fixes


def _drift_of(c: Contender) -> float:
    rel = c.accuracy.rel_l2 if c.accuracy is not None else None
    return rel if rel is not None else math.inf


def _ceil(value: float) -> str:
    """Round a limit up to 2 significant digits: 2.437 → 2.5, 0.0851 → 0.086."""
    if value <= 0 or not math.isfinite(value):
        return f"{value:g}"
    scale = 10 ** (math.floor(math.log10(value)) - 1)
    return f"{math.ceil(value / scale - 1e-9) * scale:.6g}"


def no_winner(contenders: Sequence[Contender], limits: Limits) -> tuple[str, str]:
    """(problem, fix) when no configuration meets the limits: what each hint meets and
    misses, the closest tuned config, and the smallest relaxation that would help."""
    if not contenders:
        return (
            "no trial completed, so there is no configuration to judge",
            "run autotune search (see failed trials with autotune report)",
        )
    hints = [c for c in contenders if c.is_hint]
    tuned = [c for c in contenders if not c.is_hint]
    parts = [finding(c, limits) for c in hints]
    closest = min(tuned, key=lambda c: max(c.violations.values(), default=0.0), default=None)
    if closest is not None:
        parts.append(
            f"closest tuned config (trial #{closest.trials[0]}): {finding(closest, limits)}"
        )
    problem = f"no configuration meets {limits.describe()}: " + "; ".join(parts)
    fixes = suggestions(contenders, limits)
    fix = "relax a limit: " + ", or ".join(fixes) if fixes else "relax the limits"
    if any(accuracy_binds(c) for c in contenders):
        random = any(c.accuracy is not None and c.accuracy.random_inputs for c in contenders)
        fix += (
            "; or judge accuracy on your own data with --inputs DIR (now: seeded random inputs)"
            if random
            else ""
        )
    return problem, fix + "; or use a faster device"
