"""The shapes the traffic has: a distribution of input shapes that every measurement draws its
requests from (plain data; the study records it, best_config.json carries it).

A :class:`ShapeMix` is a list of weighted *patterns*, one dimension spec per axis of every
input: a fixed size, a range (uniform integers ``lo..hi``), or a weighted choice
(``128:0.5|256:0.3|512:0.2``). ``--shape`` gives one pattern; ``--inputs DIR`` gives the
samples' own shapes, one pattern per distinct shape weighted by its count (the real
distribution, and what to recommend).
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from autotune.core._errors import BadInputError


@dataclass(frozen=True)
class Range:
    """Sizes ``lo..hi``, drawn uniformly."""

    lo: int
    hi: int


@dataclass(frozen=True)
class Choice:
    """Sizes with weights: ``128:0.5|256:0.3|512:0.2``."""

    options: tuple[tuple[int, float], ...]


Dim = int | Range | Choice
Pattern = dict[str, tuple[Dim, ...]]
# Requests a measurement cycles through: enough distinct draws to cover a mix, few enough to
# prepare their input arrays up front.
SEQUENCE_LENGTH = 64


def _draw(dim: Dim, rng: random.Random) -> int:
    if isinstance(dim, Range):
        return rng.randint(dim.lo, dim.hi)
    if isinstance(dim, Choice):
        return rng.choices([v for v, _ in dim.options], [w for _, w in dim.options])[0]
    return dim


def _bounds(dim: Dim) -> tuple[int, int]:
    if isinstance(dim, Range):
        return dim.lo, dim.hi
    if isinstance(dim, Choice):
        values = [v for v, _ in dim.options]
        return min(values), max(values)
    return dim, dim


def _dim_text(dim: Dim) -> str:
    if isinstance(dim, Range):
        return f"{dim.lo}..{dim.hi}"
    if isinstance(dim, Choice):
        return "|".join(f"{v}:{w:g}" for v, w in dim.options)
    return str(dim)


@dataclass(frozen=True)
class ShapeMix:
    """Weighted patterns of input shapes (see the module)."""

    patterns: tuple[tuple[Pattern, float], ...]
    source: str = "--shape"  # "--shape" or the --inputs folder

    @property
    def names(self) -> list[str]:
        return list(self.patterns[0][0]) if self.patterns else []

    @property
    def varies(self) -> bool:
        """Some request shape differs from another (else it is one static shape)."""
        low, high = self.bounds_by_input()
        return low != high

    def bounds_by_input(self) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
        """(smallest, largest) size of every axis of every input over the whole mix."""
        low: dict[str, list[int]] = {}
        high: dict[str, list[int]] = {}
        for pattern, _ in self.patterns:
            for name, dims in pattern.items():
                lows = [_bounds(d)[0] for d in dims]
                highs = [_bounds(d)[1] for d in dims]
                low[name] = [min(a, b) for a, b in zip(low.get(name, lows), lows, strict=True)]
                high[name] = [max(a, b) for a, b in zip(high.get(name, highs), highs, strict=True)]
        return low, high

    def varying_axes(self) -> dict[str, list[int]]:
        """The axes whose size varies, by input."""
        low, high = self.bounds_by_input()
        return {
            name: [k for k, (a, b) in enumerate(zip(low[name], high[name], strict=True)) if a != b]
            for name in low
            if low[name] != high[name]
        }

    def draw(self, rng: random.Random) -> dict[str, list[int]]:
        """One request's shapes."""
        weights = [w for _, w in self.patterns]
        pattern = rng.choices([p for p, _ in self.patterns], weights)[0]
        return {name: [_draw(d, rng) for d in dims] for name, dims in pattern.items()}

    def sequence(self, seed: int = 0, length: int = SEQUENCE_LENGTH) -> list[dict[str, list[int]]]:
        """A seeded sequence of request shapes: every config of a study cycles through the same
        one, so their figures are over the same mix."""
        rng = random.Random(seed)
        return [self.draw(rng) for _ in range(length)]

    def representative(self) -> dict[str, list[int]]:
        """The median shape of a long seeded draw (what a single-shape figure, such as FLOPs,
        is computed at)."""
        draws = self.sequence(seed=0, length=501)
        out = {}
        for name in self.names:
            dims = list(zip(*(d[name] for d in draws), strict=True))
            out[name] = [sorted(axis)[len(axis) // 2] for axis in dims]
        return out

    def histogram(self, bins: int = 8) -> dict[str, dict[str, Any]]:
        """Per varying axis (``input1[3]``): counts of a long seeded draw in ``bins`` equal bins
        between its bounds — what the study records and the report shows."""
        draws = self.sequence(seed=0, length=1000)
        out: dict[str, dict[str, Any]] = {}
        for name, axes in self.varying_axes().items():
            for axis in axes:
                values = [d[name][axis] for d in draws]
                lo, hi = min(values), max(values)
                width = max(1, math.ceil((hi - lo + 1) / bins))
                counts = Counter((v - lo) // width for v in values)
                edges = [lo + k * width for k in range(bins + 1)]
                out[f"{name}[{axis}]"] = {
                    "edges": edges,
                    "counts": [counts.get(k, 0) for k in range(bins)],
                }
        return out

    def describe(self) -> str:
        """``input1[1,1,64,96..512]`` or ``4 shapes from samples/ (input1[…,96..512])``."""
        if self.source == "--shape" and len(self.patterns) == 1:
            pattern = self.patterns[0][0]
            return ",".join(
                f"{name}[{','.join(_dim_text(d) for d in dims)}]" for name, dims in pattern.items()
            )
        low, high = self.bounds_by_input()
        span = ",".join(
            f"{name}[{','.join(str(a) if a == b else f'{a}..{b}' for a, b in zip(low[name], high[name], strict=True))}]"
            for name in low
        )
        return f"{len(self.patterns)} shapes from {self.source} ({span})"

    def to_dict(self) -> dict[str, Any]:
        def dim(d: Dim) -> Any:
            if isinstance(d, Range):
                return {"range": [d.lo, d.hi]}
            if isinstance(d, Choice):
                return {"choice": [[v, w] for v, w in d.options]}
            return d

        return {
            "source": self.source,
            "patterns": [
                {"weight": w, "shapes": {n: [dim(d) for d in dims] for n, dims in p.items()}}
                for p, w in self.patterns
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ShapeMix | None:
        if not data:
            return None

        def dim(d: Any) -> Dim:
            if isinstance(d, dict) and "range" in d:
                return Range(int(d["range"][0]), int(d["range"][1]))
            if isinstance(d, dict):
                return Choice(tuple((int(v), float(w)) for v, w in d["choice"]))
            return int(d)

        return cls(
            patterns=tuple(
                (
                    {str(n): tuple(dim(d) for d in dims) for n, dims in p["shapes"].items()},
                    float(p["weight"]),
                )
                for p in data["patterns"]
            ),
            source=str(data.get("source", "--shape")),
        )

    @classmethod
    def of_samples(cls, shapes: list[dict[str, list[int]]], source: str) -> ShapeMix:
        """The empirical mix of the samples' own shapes."""
        counts = Counter(tuple((n, tuple(d)) for n, d in s.items()) for s in shapes)
        return cls(
            patterns=tuple(
                ({n: tuple(d) for n, d in key}, float(count)) for key, count in counts.items()
            ),
            source=source,
        )


_ITEM = re.compile(r"([^\[\],]*)\[([^\]]*)\]")


def _parse_dim(token: str, text: str) -> Dim:
    token = token.strip()
    bad = BadInputError(
        f"--shape {text!r}: dimension {token!r} is not a size, a range lo..hi or a weighted "
        "list v:w|v:w",
        'e.g. "x[1,3,48,320]", "x[1,3,48,96..512]" or "x[1,3,48,128:0.5|256:0.3|512:0.2]"',
    )
    if token.isdigit() and int(token) > 0:
        return int(token)
    if ".." in token:
        lo, _, hi = token.partition("..")
        if not (lo.strip().isdigit() and hi.strip().isdigit()):
            raise bad
        low, high = int(lo), int(hi)
        if not 0 < low <= high:
            raise BadInputError(
                f"--shape {text!r}: range {token!r} is empty or not positive",
                "write lo..hi with 0 < lo ≤ hi, e.g. 96..512",
            )
        return low if low == high else Range(low, high)
    if "|" in token or ":" in token:
        choices = []
        for part in token.split("|"):
            value, sep, weight = part.partition(":")
            try:
                size, share = int(value), float(weight) if sep else 1.0
            except ValueError:
                raise bad from None
            if size <= 0 or not share > 0 or not math.isfinite(share):
                raise bad
            choices.append((size, share))
        return choices[0][0] if len(choices) == 1 else Choice(tuple(choices))
    raise bad


def parse_shape_mix(text: str) -> ShapeMix:
    """``--shape`` in benchmark_app's syntax, where a dimension may also be a range
    (``96..512``) or a weighted list (``128:0.5|256:0.3|512:0.2``). An unnamed ``[…]`` keeps
    the key ""."""
    text = text.strip()
    items = _ITEM.findall(text)
    rebuilt = ",".join(f"{name}[{dims}]" for name, dims in items)
    if not items or rebuilt.replace(" ", "") != text.replace(" ", ""):
        raise BadInputError(
            f"--shape {text!r} is not in benchmark_app syntax",
            'write input_name[d0,d1,...], e.g. --shape "images[1,3,320,320]"',
        )
    pattern: Pattern = {}
    for name, dims in items:
        pattern[name.strip()] = tuple(_parse_dim(t, text) for t in dims.split(","))
    if "" in pattern and len(pattern) > 1:
        raise BadInputError(
            f"--shape {text!r} mixes named and unnamed inputs",
            "name every input, e.g. a[1,3],b[1,5]",
        )
    return ShapeMix(patterns=((pattern, 1.0),))


# How a dynamic model meets a mix of shapes (a searched dimension, next to the runtime knobs):
DYNAMIC = "dynamic"  # the model as it is: every request at its own shape
BOUNDED = "bounded"  # the varying axes bounded by the mix's range
BUCKETS = "buckets"  # k static models covering the mix; requests padded up to theirs ("buckets3")
BUCKET_COUNTS = (2, 3, 4)


def policy_buckets(policy: str | None) -> int:
    """``buckets3`` → 3; 0 for the other policies."""
    if policy and policy.startswith(BUCKETS):
        return int(policy[len(BUCKETS) :] or 0)
    return 0


def policy_shapes(
    mix: ShapeMix, policy: str | None
) -> list[dict[str, list[int | tuple[int, int]]]]:
    """What the model is reshaped to under ``policy``, one entry per compiled model: axes fixed
    across the mix at their size, varying ones -1 (dynamic), ``(lo, hi)`` (bounded), or each
    bucket's static size."""
    low, high = mix.bounds_by_input()
    count = policy_buckets(policy)
    if count:
        return [
            {n: list(dims) for n, dims in bucket.items()} for bucket in bucket_shapes(mix, count)
        ]
    shaped: dict[str, list[int | tuple[int, int]]] = {}
    for name in low:
        dims: list[int | tuple[int, int]] = []
        for a, b in zip(low[name], high[name], strict=True):
            if a == b:
                dims.append(a)
            elif policy == BOUNDED:
                dims.append((a, b))
            else:
                dims.append(-1)
        shaped[name] = dims
    return [shaped]


def bucket_shapes(mix: ShapeMix, count: int) -> list[dict[str, list[int]]]:
    """``count`` static shapes covering the mix, smallest first: the seeded draws sorted by
    size and cut into equal shares, each bucket the largest shape of its share; the last one
    is the mix's upper bound, so every shape fits some bucket."""
    draws = mix.sequence(seed=0, length=1000)
    draws.sort(key=lambda d: sum(math.prod(v) for v in d.values()))
    buckets: list[dict[str, list[int]]] = []
    for k in range(1, count + 1):
        share = draws[: max(1, len(draws) * k // count)]
        top = {n: [max(d[n][a] for d in share) for a in range(len(share[0][n]))] for n in share[0]}
        if top not in buckets:
            buckets.append(top)
    _, high = mix.bounds_by_input()
    buckets[-1] = {n: list(v) for n, v in high.items()}
    return buckets


def bucket_of(shape: dict[str, list[int]], buckets: list[dict[str, list[int]]]) -> int:
    """The smallest bucket every axis of ``shape`` fits in."""
    for index, bucket in enumerate(buckets):
        if all(all(s <= b for s, b in zip(shape[n], bucket[n], strict=True)) for n in bucket):
            return index
    raise ValueError(f"shape {shape} fits no bucket")
