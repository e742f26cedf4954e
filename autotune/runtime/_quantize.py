"""INT8 post-training quantization with NNCF: calibrate on the user's samples, save the IR.

NNCF is an optional extra (``[quantize]``); it is imported only here, and only when a search
asks for ``--quantize``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import openvino as ov

from autotune.core import BadInputError
from autotune.runtime._model import read_model

# NNCF's default calibration size; fewer samples are used when fewer are given.
MAX_SUBSET_SIZE = 300
INSTALL_HINT = (
    "pip install 'openvino-autotune[quantize]' (NNCF), or pip install -e '.[quantize]' in a "
    "checkout"
)


def nncf_version() -> str:
    """The installed NNCF version; a one-line error when the extra is missing."""
    try:
        import nncf
    except ImportError:
        raise BadInputError(
            "--quantize needs NNCF, which is not installed", INSTALL_HINT
        ) from None
    return str(nncf.__version__)


def looks_like_transformer(model: ov.Model) -> bool:
    """Attention in the graph: a Softmax fed by a MatMul of two activations (Q·Kᵀ), or a fused
    attention op. NNCF then wants ``model_type=TRANSFORMER`` (it keeps the attention's
    sensitive parts in floating point)."""
    for op in model.get_ordered_ops():
        kind = op.get_type_name()
        if kind == "ScaledDotProductAttention":
            return True
        if kind != "Softmax":
            continue
        source = op.input_value(0).get_node()
        if source.get_type_name() == "Add":  # Q·Kᵀ + mask
            source = source.input_value(0).get_node()
        if source.get_type_name() == "MatMul" and not any(
            _is_weight(source.input_value(i).get_node()) for i in range(2)
        ):
            return True
    return False


def _is_weight(node: ov.Node, depth: int = 4) -> bool:
    """A constant, or a short chain computed from constants only (f16 weights decompressed by a
    Convert, a reshaped or transposed constant)."""
    if node.get_type_name() == "Constant":
        return True
    if depth == 0 or node.get_type_name() == "Parameter" or node.get_input_size() == 0:
        return False
    return all(
        _is_weight(node.input_value(i).get_node(), depth - 1) for i in range(node.get_input_size())
    )


def quantize_to_ir(
    model_path: str, samples: list[list[np.ndarray]], out_xml: str | Path
) -> dict[str, Any]:
    """Quantize the model on ``samples`` (the inputs at the search's shape) and save it. The
    model keeps its own input shapes (dynamic ones stay dynamic), so the INT8 variant is
    reshaped for a trial exactly as the original is."""
    version = nncf_version()
    import nncf

    model = read_model(model_path).clone()
    names = [port.get_any_name() for port in model.inputs]
    dataset = nncf.Dataset(
        samples,
        lambda sample: dict(zip(names, sample, strict=True)) if len(names) > 1 else sample[0],
    )
    transformer = looks_like_transformer(model)
    started = time.perf_counter()
    quantized = nncf.quantize(
        model,
        dataset,
        subset_size=min(MAX_SUBSET_SIZE, len(samples)),
        model_type=nncf.ModelType.TRANSFORMER if transformer else None,
    )
    seconds = time.perf_counter() - started
    target = Path(out_xml)
    target.parent.mkdir(parents=True, exist_ok=True)
    ov.save_model(quantized, str(target), compress_to_fp16=False)
    fake_quantize = sum(
        1 for op in quantized.get_ordered_ops() if op.get_type_name() == "FakeQuantize"
    )
    return {
        "path": str(target),
        "seconds": seconds,
        "samples": min(MAX_SUBSET_SIZE, len(samples)),
        "model_type": "transformer" if transformer else "default",
        "nncf_version": version,
        "fake_quantize_ops": fake_quantize,
    }
