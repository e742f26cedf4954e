"""Small real models built with the OpenVINO opset API (tests build them; nothing is shipped)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openvino as ov
import openvino.opset13 as ops


def _conv_relu(x: ov.Node, rng: np.random.Generator, cin: int, cout: int, stride: int) -> ov.Node:
    w = (rng.standard_normal((cout, cin, 3, 3)) * np.sqrt(2 / (cin * 9))).astype(np.float32)
    y = ops.convolution(x, ops.constant(w), [stride, stride], [1, 1], [1, 1], [1, 1])
    return ops.relu(ops.add(y, ops.constant(rng.standard_normal((1, cout, 1, 1)).astype(np.float32) * 0.1)))


def conv_model(path: Path, *, size: int = 64, batch: int | None = -1, channels: int = 16) -> Path:
    """A small CNN: [N,3,size,size] → [N,10]. ``batch=-1`` makes N dynamic."""
    rng = np.random.default_rng(0)
    image = ops.parameter(ov.PartialShape([batch if batch else -1, 3, size, size]), ov.Type.f32, name="images")
    image.output(0).set_names({"images"})
    x = _conv_relu(image, rng, 3, channels, 2)
    x = _conv_relu(x, rng, channels, channels * 2, 2)
    x = _conv_relu(x, rng, channels * 2, channels * 2, 1)
    pooled = ops.reduce_mean(x, ops.constant(np.array([2, 3], dtype=np.int64)), False)
    logits = ops.matmul(pooled, ops.constant(rng.standard_normal((channels * 2, 10)).astype(np.float32)), False, False)
    out = ops.softmax(logits, 1)
    out.output(0).set_names({"scores"})
    ov.save_model(ov.Model([out], [image], "test_cnn"), str(path))
    return path


def dynamic_hw_model(path: Path) -> Path:
    """Like the YOLO detector from nudenet: [?,3,?,?]."""
    rng = np.random.default_rng(1)
    image = ops.parameter(ov.PartialShape([-1, 3, -1, -1]), ov.Type.f32, name="images")
    image.output(0).set_names({"images"})
    x = _conv_relu(image, rng, 3, 8, 2)
    pooled = ops.reduce_mean(x, ops.constant(np.array([2, 3], dtype=np.int64)), False)
    pooled.output(0).set_names({"features"})
    ov.save_model(ov.Model([pooled], [image], "dynamic_hw"), str(path))
    return path


def two_input_model(path: Path) -> Path:
    a = ops.parameter(ov.PartialShape([-1, 8]), ov.Type.f32, name="a")
    a.output(0).set_names({"a"})
    b = ops.parameter(ov.PartialShape([-1, 8]), ov.Type.f32, name="b")
    b.output(0).set_names({"b"})
    out = ops.multiply(a, b)
    out.output(0).set_names({"product"})
    ov.save_model(ov.Model([out], [a, b], "two_inputs"), str(path))
    return path


def sensitive_model(path: Path) -> Path:
    """A layer pair that cancels: (x + 256) @ W − 256·1 @ W. Exact in f32; in bf16 the sum
    x + 256 keeps almost none of x (8 mantissa bits), so the output is wrong by ~100 %."""
    rng = np.random.default_rng(3)
    x = ops.parameter(ov.PartialShape([-1, 64]), ov.Type.f32, name="x")
    x.output(0).set_names({"x"})
    w = rng.standard_normal((64, 32)).astype(np.float32)
    shifted = ops.add(x, ops.constant(np.float32(256.0)))
    product = ops.matmul(shifted, ops.constant(w), False, False)
    offset = ops.constant((np.full((1, 64), 256.0, np.float32) @ w).astype(np.float32))
    out = ops.subtract(product, offset)
    out.output(0).set_names({"y"})
    ov.save_model(ov.Model([out], [x], "sensitive"), str(path))
    return path
