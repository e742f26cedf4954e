"""Small real models built with the OpenVINO opset API (tests build them; nothing is shipped)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openvino as ov
import openvino.opset13 as ops


def _conv_relu(x: ov.Node, rng: np.random.Generator, cin: int, cout: int, stride: int) -> ov.Node:
    w = (rng.standard_normal((cout, cin, 3, 3)) * np.sqrt(2 / (cin * 9))).astype(np.float32)
    y = ops.convolution(x, ops.constant(w), [stride, stride], [1, 1], [1, 1], [1, 1])
    return ops.relu(
        ops.add(y, ops.constant(rng.standard_normal((1, cout, 1, 1)).astype(np.float32) * 0.1))
    )


def conv_model(path: Path, *, size: int = 64, batch: int | None = -1, channels: int = 16) -> Path:
    """A small CNN: [N,3,size,size] → [N,10]. ``batch=-1`` makes N dynamic."""
    rng = np.random.default_rng(0)
    image = ops.parameter(
        ov.PartialShape([batch if batch else -1, 3, size, size]), ov.Type.f32, name="images"
    )
    image.output(0).set_names({"images"})
    x = _conv_relu(image, rng, 3, channels, 2)
    x = _conv_relu(x, rng, channels, channels * 2, 2)
    x = _conv_relu(x, rng, channels * 2, channels * 2, 1)
    pooled = ops.reduce_mean(x, ops.constant(np.array([2, 3], dtype=np.int64)), False)
    logits = ops.matmul(
        pooled,
        ops.constant(rng.standard_normal((channels * 2, 10)).astype(np.float32)),
        False,
        False,
    )
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


def byte_classifier(path: Path, *, length: int = 256, classes: int = 16, width: int = 32) -> Path:
    """An int-input model like a file-type classifier: [1, length] int32 bytes → embedding →
    1-D convolution → a flatten that hard-codes batch 1 (as many ONNX exports do, so the BATCH
    device cannot batch it) → class probabilities [1, classes]."""
    rng = np.random.default_rng(5)
    data = ops.parameter(ov.PartialShape([1, length]), ov.Type.i32, name="bytes")
    data.output(0).set_names({"bytes"})
    table = ops.constant(rng.standard_normal((256, width)).astype(np.float32))
    embedded = ops.gather(table, data, ops.constant(np.int64(0)))  # [1, L, width]
    channels = ops.transpose(embedded, ops.constant(np.array([0, 2, 1], np.int64)))
    kernel = (rng.standard_normal((2 * width, width, 5)) * np.sqrt(2 / (width * 5))).astype(
        np.float32
    )
    features = ops.relu(ops.convolution(channels, ops.constant(kernel), [1], [2], [2], [1]))
    flat = ops.reshape(features, ops.constant(np.array([1, 2 * width * length], np.int64)), False)
    weights = (rng.standard_normal((2 * width * length, classes)) * 0.02).astype(np.float32)
    scores = ops.softmax(ops.matmul(flat, ops.constant(weights), False, False), 1)
    scores.output(0).set_names({"scores"})
    ov.save_model(ov.Model([scores], [data], "byte_classifier"), str(path))
    return path


def mlp_model(path: Path, *, features: int = 64, hidden: int = 128, classes: int = 10) -> Path:
    """A micro model (tens of µs) with a static batch of 1: [1, features] → class
    probabilities. Per-inference overhead dominates, so batching pays off several times."""
    rng = np.random.default_rng(2)
    x = ops.parameter(ov.PartialShape([1, features]), ov.Type.f32, name="x")
    x.output(0).set_names({"x"})
    w1 = ops.constant((rng.standard_normal((features, hidden)) * 0.1).astype(np.float32))
    w2 = ops.constant((rng.standard_normal((hidden, classes)) * 0.1).astype(np.float32))
    y = ops.softmax(ops.matmul(ops.relu(ops.matmul(x, w1, False, False)), w2, False, False), 1)
    y.output(0).set_names({"y"})
    ov.save_model(ov.Model([y], [x], "mlp"), str(path))
    return path


def speech_step_model(
    path: Path, *, features: int = 64, state: int = 64, hidden: int = 256
) -> Path:
    """A two-input micro model shaped like one step of a streaming speech model: [1, features]
    and a recurrent [1, state] → scores over 32 units. About 10–30 µs per inference on CPU, so
    per-request overhead in the harness shows up directly in its figures."""
    rng = np.random.default_rng(4)
    a = ops.parameter(ov.PartialShape([1, features]), ov.Type.f32, name="features")
    a.output(0).set_names({"features"})
    b = ops.parameter(ov.PartialShape([1, state]), ov.Type.f32, name="state")
    b.output(0).set_names({"state"})
    x = ops.concat([a, b], 1)
    w1 = (rng.standard_normal((features + state, hidden)) * 0.1).astype(np.float32)
    w2 = (rng.standard_normal((hidden, 32)) * 0.1).astype(np.float32)
    x = ops.relu(ops.matmul(x, ops.constant(w1), False, False))
    y = ops.softmax(ops.matmul(x, ops.constant(w2), False, False), 1)
    y.output(0).set_names({"scores"})
    ov.save_model(ov.Model([y], [a, b], "speech_step"), str(path))
    return path


def onnx_model(path: Path, *, size: int = 32) -> Path:
    """A small ONNX CNN, [N,3,size,size] → [N,10] (what users hand us before conversion)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(2)
    weights = [
        numpy_helper.from_array(rng.standard_normal((8, 3, 3, 3)).astype(np.float32), "w"),
        numpy_helper.from_array(rng.standard_normal((8, 10)).astype(np.float32), "fc"),
    ]
    nodes = [
        helper.make_node("Conv", ["images", "w"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("GlobalAveragePool", ["r"], ["g"]),
        helper.make_node("Flatten", ["g"], ["f"]),
        helper.make_node("MatMul", ["f", "fc"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["scores"], axis=1),
    ]
    graph = helper.make_graph(
        nodes,
        "onnx_cnn",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, ["N", 3, size, size])],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["N", 10])],
        initializer=weights,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def attention_model(path: Path, *, tokens: int = 16, width: int = 32) -> Path:
    """One self-attention block: softmax(Q·Kᵀ)·V over [1, tokens, width] (a transformer's
    core, for NNCF's model-type detection)."""
    rng = np.random.default_rng(3)
    x = ops.parameter([1, tokens, width], ov.Type.f32, name="tokens")
    x.output(0).set_names({"tokens"})

    def project(node: ov.Node) -> ov.Node:
        weights = (rng.standard_normal((width, width)) / np.sqrt(width)).astype(np.float32)
        return ops.matmul(node, ops.constant(weights), False, False)

    q, k, v = project(x), project(x), project(x)
    scores = ops.softmax(ops.matmul(q, k, False, True), -1)
    out = ops.matmul(scores, v, False, False)
    out.output(0).set_names({"mixed"})
    ov.save_model(ov.Model([out], [x], "attention"), str(path))
    return path


def image_samples(folder: Path, count: int = 16, size: int = 64) -> Path:
    """Image-like samples for the test CNN (smooth gradients and blobs, not white noise): one
    [1, 3, size, size] .npy file each."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    yy, xx = np.mgrid[0:size, 0:size] / size
    for i in range(count):
        channels = []
        for _ in range(3):
            cx, cy, r = rng.uniform(0.2, 0.8, 3)
            blob = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (0.05 + 0.1 * r))
            channels.append(
                0.5 * blob + 0.5 * rng.uniform() * xx + 0.05 * rng.random((size, size))
            )
        np.save(folder / f"{i:03d}.npy", np.stack(channels)[None].astype(np.float32))
    return folder


def sequence_conv_model(path: Path, *, channels: int = 8) -> Path:
    """A dynamic-length sequence model: features [1, channels, L] (L dynamic) → a 1-D
    convolution (kernel 5) → ReLU → [1, 16, L]. Each output position sees 5 input positions,
    so padding a request changes the outputs next to its end."""
    rng = np.random.default_rng(8)
    x = ops.parameter(ov.PartialShape([1, channels, -1]), ov.Type.f32, name="features")
    x.output(0).set_names({"features"})
    kernel = (rng.standard_normal((16, channels, 5)) * 0.3).astype(np.float32)
    y = ops.relu(ops.convolution(x, ops.constant(kernel), [1], [2], [2], [1]))
    y.output(0).set_names({"frames"})
    ov.save_model(ov.Model([y], [x], "sequence_conv"), str(path))
    return path


def token_tagger_model(path: Path, *, vocabulary: int = 100) -> Path:
    """A token tagger with a dynamic length: int64 ids [1, L] → embeddings from a table →
    a per-token matmul → tag scores [1, L, 5]. No position sees another, so a padded request
    gives the unpadded one's outputs on its own positions."""
    rng = np.random.default_rng(9)
    ids = ops.parameter(ov.PartialShape([1, -1]), ov.Type.i64, name="ids")
    ids.output(0).set_names({"ids"})
    table = ops.constant(rng.standard_normal((vocabulary, 16)).astype(np.float32))
    embedded = ops.gather(table, ids, ops.constant(np.int64(0)))
    weights = ops.constant((rng.standard_normal((16, 5)) * 0.3).astype(np.float32))
    tags = ops.softmax(ops.matmul(embedded, weights, False, False), 2)
    tags.output(0).set_names({"tags"})
    ov.save_model(ov.Model([tags], [ids], "token_tagger"), str(path))
    return path
