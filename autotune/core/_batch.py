"""Where a model's batch lives: one axis per input that takes a batch, one per output.

Real models are not all "one image, batch first": a recurrent state is batched on dimension 1,
a CTC recognizer's output is time-major (``[T,N,C]``), a lookup table or a scalar has no batch
at all, and a detection head with fixed-size reshapes accepts batch 2 and mixes the samples.
:class:`BatchAxes` records what :func:`autotune.runtime.find_batch_axes` found and proved, and
every stage that reshapes, fills, splits or exports a batch asks it (nobody assumes an axis).
Plain data: the study stores it, best_config.json carries it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# The per-sample relative L2 (f32, batch of distinct samples vs each sample alone) under which a
# batch counts as computing what batch 1 computes. Kernels for another batch size may sum in
# another order: ~1e-7 on the models we tried; a graph that mixes samples gives ~1.
BATCH_TOLERANCE = 1e-3

MIX_SOURCE = "the traffic's shapes"  # a mix of shapes: batch stays 1 (requests vary)


@dataclass(frozen=True)
class BatchAxes:
    """The batch axes of a model, as found and verified.

    ``inputs`` maps each input that takes the batch to its axis; an input absent from it (a
    state with no batch, a shared table, a scalar) is never reshaped and is shared by every
    sample of a batch. ``outputs`` maps every output to its batch axis. ``batch`` is the size of
    those axes in the shape the study measures (1 unless ``--shape`` fixed another).
    ``searchable`` is True only when a batch of distinct samples was shown, in f32, to give each
    sample its own batch-1 outputs; ``reason`` says why not otherwise.
    """

    inputs: dict[str, int] = field(default_factory=dict)
    outputs: dict[str, int] = field(default_factory=dict)
    batch: int = 1
    searchable: bool = False
    # "model layout", "--layout", "shape inference", MIX_SOURCE (where the axes came from)
    source: str = ""
    reason: str = ""  # one line: why batch sizes are not searched
    checked: tuple[int, ...] = ()  # batch sizes verified numerically
    worst_rel_l2: float | None = None  # the check's worst per-sample relative L2
    auto_batch: bool = False  # the BATCH device was verified too (distinct concurrent requests)
    auto_batch_reason: str = ""  # why the BATCH device is not searched
    seconds: float = 0.0  # what finding and verifying cost

    def shape_at(self, base: dict[str, list[int]], batch: int) -> dict[str, list[int]]:
        """``base`` (every input's static shape) with each batched input's axis at ``batch``;
        the other inputs keep their own shape."""
        out = {}
        for name, dims in base.items():
            shaped = list(dims)
            axis = self.inputs.get(name)
            if axis is not None and batch != self.batch:
                shaped[axis] = batch
            out[name] = shaped
        return out

    def layouts(self, ranks: dict[str, int]) -> dict[str, str]:
        """benchmark_app ``-layout`` values for every input: ``N???``/``?N?`` where the batch
        is, ``...`` for an input without one (so benchmark_app guesses no batch there)."""
        return {
            name: (
                "".join("N" if k == self.inputs[name] else "?" for k in range(rank))
                if name in self.inputs
                else "..."
            )
            for name, rank in ranks.items()
        }

    def describe(self) -> str:
        """``images axis 0 → scores axis 0`` (or why there is no batch)."""
        if not self.inputs:
            return "no batch axis"
        ins = ", ".join(f"{n} axis {a}" for n, a in self.inputs.items())
        outs = ", ".join(f"{n} axis {a}" for n, a in self.outputs.items())
        return f"{ins} → {outs}"

    def summary(self) -> str:
        """One line for the search's output: what is searched, and why (or why not)."""
        if self.searchable:
            sizes = ", ".join(map(str, self.checked))
            text = (
                f"batch searched: {self.describe()}; a batch of distinct samples gives each its "
                f"own outputs (f32, checked at {sizes}, relative L2 ≤ "
                f"{self.worst_rel_l2 or 0.0:.1g}, {self.seconds:.1f} s)"
            )
            if not self.auto_batch and self.auto_batch_reason != "not checked":
                text += f"; BATCH device not searched: {self.auto_batch_reason}"
            return text
        text = f"batch not searched: {self.reason or 'no batch axis found'}"
        if self.undeclared:
            text += ' — pass --layout (e.g. "input[N...]") if the batch is elsewhere'
        return text

    @property
    def undeclared(self) -> bool:
        """Batch is not searched because shape inference found or proved no batch axis, where
        nobody declared one: --layout is the remedy (not --max-batch, not a layout already
        given, not a mix of shapes)."""
        return (
            not self.searchable
            and self.batch == 1
            and "--layout" not in self.source
            and "model layout" not in self.source
            and self.source != MIX_SOURCE
            and not self.reason.startswith("--max-batch")
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["checked"] = list(self.checked)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> BatchAxes:
        if not data:
            return cls()
        return cls(
            inputs={str(k): int(v) for k, v in dict(data.get("inputs") or {}).items()},
            outputs={str(k): int(v) for k, v in dict(data.get("outputs") or {}).items()},
            batch=int(data.get("batch", 1)),
            searchable=bool(data.get("searchable", False)),
            source=str(data.get("source", "")),
            reason=str(data.get("reason", "")),
            checked=tuple(int(b) for b in data.get("checked") or ()),
            worst_rel_l2=data.get("worst_rel_l2"),
            auto_batch=bool(data.get("auto_batch", False)),
            auto_batch_reason=str(data.get("auto_batch_reason", "")),
            seconds=float(data.get("seconds", 0.0)),
        )


def parse_layouts(text: str) -> dict[str, str]:
    """``--layout "input[N...],state[?N?]"`` (benchmark_app's syntax) → ``{input: "N...",
    state: "?N?"}``; ``.`` stands for ``?``; a bare ``[NCHW]`` applies to the only input (key
    "")."""
    from autotune.core._errors import BadInputError

    text = text.strip()
    if not text:
        raise BadInputError("--layout is empty", 'e.g. --layout "images[N...]"')
    out: dict[str, str] = {}
    rest = text
    while rest:
        open_at = rest.find("[")
        close_at = rest.find("]", open_at)
        if open_at < 0 or close_at < 0:
            raise BadInputError(
                f"--layout {text!r} is not name[layout],… (benchmark_app's syntax)",
                'e.g. --layout "input[N...],state[?N?]"',
            )
        name = rest[:open_at].strip().lstrip(",").strip()
        layout = rest[open_at + 1 : close_at].strip()
        if not layout or any(c not in "?.NCHWDLT" and not c.isalpha() for c in layout):
            raise BadInputError(
                f"--layout gives {name or 'the input'} the layout [{layout}], which is not "
                "letters and dots",
                'write N where the batch is, e.g. "[N...]", "[?N?]" or "[NCHW]"',
            )
        if layout.count("N") > 1:
            raise BadInputError(
                f"--layout gives {name or 'the input'} two N axes ([{layout}])",
                "mark the one batch axis with N",
            )
        if name in out:
            raise BadInputError(f"--layout names {name!r} twice", "give each input once")
        out[name] = layout
        rest = rest[close_at + 1 :].strip()
        if rest and not rest.startswith(","):
            raise BadInputError(
                f"--layout {text!r}: expected ',' after [{layout}]",
                'e.g. --layout "input[N...],state[?N?]"',
            )
    return out


def layout_axis(layout: str, rank: int) -> int | None:
    """The N axis of a layout at a given rank (``"...N"`` counts from the end), or None when it
    has no N. Raises ValueError when the layout does not fit the rank."""
    if "..." in layout:
        head, _, tail = layout.partition("...")
        if len(head) + len(tail) > rank:
            raise ValueError(f"[{layout}] has more axes than rank {rank}")
        if "N" in head:
            return head.index("N")
        if "N" in tail:
            return rank - len(tail) + tail.index("N")
        return None
    if len(layout) != rank:
        raise ValueError(f"[{layout}] has {len(layout)} axes, the input has rank {rank}")
    return layout.index("N") if "N" in layout else None
