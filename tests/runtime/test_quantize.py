"""INT8 post-training quantization with NNCF on small opset models."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openvino as ov

from autotune import runtime
from tests.models import attention_model, conv_model, image_samples


def test_attention_is_recognized_as_a_transformer(model_dir: Path) -> None:
    core = ov.Core()
    assert runtime.looks_like_transformer(core.read_model(attention_model(model_dir / "att.xml")))
    assert not runtime.looks_like_transformer(core.read_model(conv_model(model_dir / "c.xml")))


def test_quantize_to_ir_makes_an_int8_model(model_dir: Path, tmp_path: Path) -> None:
    model = conv_model(model_dir / "q.xml", size=32, batch=1)
    folder = image_samples(tmp_path / "samples", count=8, size=32)
    samples = [[np.load(f)] for f in sorted(folder.glob("*.npy"))]
    info = runtime.quantize_to_ir(str(model), samples, tmp_path / "int8" / "model_int8.xml")
    target = Path(info["path"])
    assert target.exists() and target.with_suffix(".bin").exists()
    assert info["fake_quantize_ops"] > 0 and info["samples"] == 8
    assert info["model_type"] == "default" and info["nncf_version"] == runtime.nncf_version()
    core = ov.Core()
    f32 = core.compile_model(str(model), "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    int8 = core.compile_model(str(target), "CPU")
    x = samples[0][0]
    reference = f32.create_infer_request().infer([x])[0]
    quantized = int8.create_infer_request().infer([x])[0]
    assert quantized.shape == reference.shape
    assert np.linalg.norm(quantized - reference) / np.linalg.norm(reference) < 0.2
