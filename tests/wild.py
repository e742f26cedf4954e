"""Models as found in the wild, built with the OpenVINO opset API: the shapes that break "one
image, batch first" (each mirrors a real model from a public wheel, see shared/OPENVINO_NOTES).

Every builder returns (path, --shape or None, what its batch is) so the tests can run them all
through the same search → export → deploy checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import openvino as ov
import openvino.opset13 as ops


@dataclass(frozen=True)
class Wild:
    """A test model and what autotune must find in it."""

    name: str
    path: Path
    shape: str | None  # --shape
    inputs: dict[str, int] = field(default_factory=dict)  # the batch axis of each batched input
    outputs: dict[str, int] = field(default_factory=dict)  # … and of each output
    batchable: bool = True


def _named(node: ov.Node, name: str) -> ov.Node:
    node.output(0).set_names({name})
    return node


def _param(name: str, shape: list[int], kind: ov.Type = ov.Type.f32) -> ov.Node:
    return _named(ops.parameter(ov.PartialShape(shape), kind, name=name), name)


def _const(rng: np.random.Generator, *shape: int, scale: float = 0.3) -> ov.Node:
    return ops.constant((rng.standard_normal(shape) * scale).astype(np.float32))


def fixed_reshape_head(folder: Path) -> Wild:
    """A detection head exported for batch 1 (like a 416×416 text detector): its features are
    transposed channels-first and flattened by a Reshape with a constant [1, -1, 6]. Batch 2
    reshapes without error to [1, 2·k, 6], but every row now mixes both samples."""
    rng = np.random.default_rng(11)
    image = _param("images", [1, 3, 16, 16])
    w = (rng.standard_normal((6, 3, 3, 3)) * 0.3).astype(np.float32)
    x = ops.relu(ops.convolution(image, ops.constant(w), [2, 2], [1, 1], [1, 1], [1, 1]))
    channels_first = ops.transpose(x, ops.constant(np.array([1, 0, 2, 3], np.int64)))
    rows = ops.reshape(channels_first, ops.constant(np.array([1, -1, 6], np.int64)), False)
    boxes = _named(ops.sigmoid(rows), "boxes")
    path = folder / "fixed_head.xml"
    ov.save_model(ov.Model([boxes], [image], "fixed_head"), str(path))
    return Wild("fixed-reshape head", path, None, batchable=False)


def recurrent_state(folder: Path) -> Wild:
    """A streaming voice-activity step: audio [1, 64] and a recurrent state [2, 1, 16] whose
    batch axis is dimension 1 (layers × batch × units); outputs a probability [1, 1] and the
    next state [2, 1, 16]."""
    rng = np.random.default_rng(12)
    audio = _param("input", [1, 64])
    state = _param("state", [2, 1, 16])
    drive = ops.unsqueeze(
        ops.matmul(audio, _const(rng, 64, 16), False, False), ops.constant(np.int64(0))
    )  # [1, N, 16]
    mixed = ops.tanh(ops.add(ops.matmul(state, _const(rng, 16, 16), False, False), drive))
    new_state = _named(mixed, "stateN")
    last = ops.gather(mixed, ops.constant(np.int64(1)), ops.constant(np.int64(0)))  # [N, 16]
    prob = _named(ops.sigmoid(ops.matmul(last, _const(rng, 16, 1), False, False)), "output")
    path = folder / "vad_state.xml"
    ov.save_model(ov.Model([prob, new_state], [audio, state], "vad_state"), str(path))
    return Wild(
        "recurrent state on axis 1",
        path,
        None,
        inputs={"input": 0, "state": 1},
        outputs={"output": 0, "stateN": 1},
    )


def time_major(folder: Path) -> Wild:
    """A CTC text recognizer: a grey text line [1, 1, 16, W] (W dynamic) → per-column class
    scores, time-major [T, N, C]: its batch is on dimension 1 of the output."""
    rng = np.random.default_rng(13)
    line = _param("line", [1, 1, 16, -1])
    w = (rng.standard_normal((12, 1, 16, 3)) * 0.3).astype(np.float32)
    x = ops.relu(ops.convolution(line, ops.constant(w), [1, 2], [0, 1], [0, 1], [1, 1]))
    columns = ops.squeeze(x, ops.constant(np.array([2], np.int64)))  # [N, 12, T]
    steps = ops.transpose(columns, ops.constant(np.array([2, 0, 1], np.int64)))  # [T, N, 12]
    scores = _named(ops.softmax(steps, 2), "logits")
    path = folder / "ctc.xml"
    ov.save_model(ov.Model([scores], [line], "ctc"), str(path))
    return Wild(
        "time-major output",
        path,
        "line[1,1,16,32]",
        inputs={"line": 0},
        outputs={"logits": 1},
    )


def shared_table(folder: Path) -> Wild:
    """Features [1, 8] and a table [8, 4] fed at run time and shared by the whole batch (no
    axis of it is a batch)."""
    x = _param("x", [1, 8])
    table = _param("table", [8, 4])
    y = _named(ops.relu(ops.matmul(x, table, False, False)), "y")
    path = folder / "shared_table.xml"
    ov.save_model(ov.Model([y], [x, table], "shared_table"), str(path))
    return Wild("input shared across the batch", path, None, inputs={"x": 0}, outputs={"y": 0})


def token_ids(folder: Path, vocabulary: int = 50) -> Wild:
    """A sentence classifier: int64 token ids [1, L] with a dynamic length → embeddings from a
    [vocabulary, 16] table → mean over tokens → class probabilities [1, 3]."""
    rng = np.random.default_rng(14)
    ids = _param("ids", [1, -1], ov.Type.i64)
    table = _const(rng, vocabulary, 16, scale=1.0)
    embedded = ops.gather(table, ids, ops.constant(np.int64(0)))  # [N, L, 16]
    pooled = ops.reduce_mean(embedded, ops.constant(np.array([1], np.int64)), False)
    probs = _named(ops.softmax(ops.matmul(pooled, _const(rng, 16, 3), False, False), 1), "probs")
    path = folder / "tokens.xml"
    ov.save_model(ov.Model([probs], [ids], "tokens"), str(path))
    return Wild(
        "int64 token ids, dynamic length",
        path,
        "ids[1,12]",
        inputs={"ids": 0},
        outputs={"probs": 0},
    )


def scalar_input(folder: Path) -> Wild:
    """Features [1, 8] and a scalar gain [] (a rank-0 input: nothing to batch)."""
    rng = np.random.default_rng(15)
    x = _param("x", [1, 8])
    gain = _param("gain", [])
    y = _named(ops.matmul(ops.multiply(x, gain), _const(rng, 8, 4), False, False), "y")
    path = folder / "scalar.xml"
    ov.save_model(ov.Model([y], [x, gain], "scalar"), str(path))
    return Wild("scalar input", path, None, inputs={"x": 0}, outputs={"y": 0})


BUILDERS = (fixed_reshape_head, recurrent_state, time_major, shared_table, token_ids, scalar_input)


def corpus(folder: Path) -> list[Wild]:
    folder.mkdir(parents=True, exist_ok=True)
    return [build(folder) for build in BUILDERS]
