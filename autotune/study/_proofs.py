"""The proof windows of the stated rates (server scenario), as stored in the study: per
config, where its proof started and every window it measured. What they show is the judge's
(:func:`autotune.judge.prove_rate`), recomputed wherever it is asked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from autotune.judge import ProofPlan, RateClaim, prove_rate
from autotune.measure import LoadPoint


@dataclass(frozen=True)
class Proof:
    """One config's proof: its start rate, its windows in the order measured, and whether the
    time budget stopped it."""

    key: str
    start: float
    points: tuple[LoadPoint, ...]
    capped: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "start": self.start,
            "points": [p.to_dict() for p in self.points],
            "capped": self.capped,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Proof:
        return cls(
            key=str(data["key"]),
            start=float(data["start"]),
            points=tuple(LoadPoint.from_dict(p) for p in data.get("points", [])),
            capped=bool(data.get("capped", False)),
        )


@dataclass(frozen=True)
class Proofs:
    """Every proof of one confirmation, and the plan they were measured by."""

    plan: ProofPlan
    proofs: tuple[Proof, ...]

    def claim(self, key: str) -> RateClaim | None:
        proof = next((p for p in self.proofs if p.key == key), None)
        if proof is None:
            return None
        return prove_rate(proof.points, proof.start, self.plan, capped=proof.capped)

    def to_dict(self) -> dict[str, Any]:
        return {"plan": self.plan.to_dict(), "proofs": [p.to_dict() for p in self.proofs]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Proofs:
        return cls(
            plan=ProofPlan.from_dict(data["plan"]),
            proofs=tuple(Proof.from_dict(p) for p in data.get("proofs", [])),
        )
