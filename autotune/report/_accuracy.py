"""Accuracy against the f32 reference, per output: the winner, the hints and the best config of
each model variant, so the cost of bf16 or INT8 is read next to its speed."""

from __future__ import annotations

from dataclasses import dataclass

from autotune.judge import Contender, Decision


@dataclass(frozen=True)
class AccuracyRow:
    role: str  # "winner", "hint", "best int8", or several: "hint, best int8"
    label: str
    output: str
    rel_l2: float | None
    top1: float | None  # None: not a score vector
    max_abs: float | None
    metric: str  # the user's metric, "0.969 (f32 1.000)", or ""
    feasible: bool


def _rows(c: Contender, role: str) -> list[AccuracyRow]:
    acc = c.accuracy
    if acc is None:
        return []
    metric = (
        f"{acc.metric_value:.3g} (f32 {acc.metric_reference:.3g})"
        if acc.metric_value is not None and acc.metric_reference is not None
        else ""
    )
    outputs = acc.outputs or {"(all)": {"rel_l2": acc.rel_l2, "top1": acc.top1}}
    return [
        AccuracyRow(
            role=role,
            label=c.label,
            output=name,
            rel_l2=figures.get("rel_l2"),
            top1=figures.get("top1"),
            max_abs=figures.get("max_abs"),
            metric=metric,
            feasible=c.feasible,
        )
        for name, figures in outputs.items()
    ]


def accuracy_info(decision: Decision) -> list[AccuracyRow]:
    """Rows for the winner, every hint preset, and the config the judge shows for each variant
    (the INT8 model) that is not already shown."""
    shown: list[tuple[Contender, str]] = []
    if decision.winner is not None:
        shown.append((decision.winner, "winner"))
    shown += [(c, "hint") for c in decision.contenders if c.is_hint]
    shown += [(c, f"best {variant}") for variant, c in decision.variants.items()]
    roles: dict[str, list[str]] = {}
    order: list[Contender] = []
    for contender, role in shown:
        if contender.key not in roles:
            roles[contender.key] = []
            order.append(contender)
        roles[contender.key].append(role)
    return [row for c in order for row in _rows(c, ", ".join(roles[c.key]))]
