"""The runtime module on the real OpenVINO CPU plugin."""

from __future__ import annotations

from pathlib import Path

import pytest

from autotune import runtime
from autotune.core import DeviceError, ModelError, RuntimeConfig, preset_config
from tests.models import dynamic_hw_model, two_input_model


def test_inspect_fixes_shape_and_detects_batch(tiny_model: Path) -> None:
    info = runtime.inspect_model(tiny_model, {"images": [1, 3, 64, 64]})
    assert info.is_static and info.batch == 1 and info.batch_axes.searchable
    assert info.inputs[0].partial_shape == "[?,3,64,64]"
    assert info.inputs[0].shape == (1, 3, 64, 64)
    assert info.flops and info.flops > 1e6
    assert len(info.sha256) == 64


def test_dynamic_model_without_shape_lists_inputs(model_dir: Path) -> None:
    path = dynamic_hw_model(model_dir / "dyn.xml")
    with pytest.raises(ModelError) as info:
        runtime.inspect_model(path, None)
    text = info.value.one_line()
    assert "images[?,3,?,?]" in text and "--shape" in text and "images[1,3,H,W]" in text


@pytest.mark.parametrize(
    ("shape", "needle"),
    [
        ({"pixels": [1, 3, 8, 8]}, "does not have"),
        ({"images": [1, 3, 8]}, "rank 3"),
        ({"images": [1, 4, 8, 8]}, "does not fit"),
    ],
)
def test_bad_shapes(model_dir: Path, shape: dict, needle: str) -> None:
    path = dynamic_hw_model(model_dir / "dyn2.xml")
    with pytest.raises(ModelError, match=needle):
        runtime.inspect_model(path, shape)


def test_unnamed_shape_needs_single_input(model_dir: Path) -> None:
    path = two_input_model(model_dir / "two.xml")
    with pytest.raises(ModelError, match="2 inputs"):
        runtime.inspect_model(path, [1, 8])
    info = runtime.inspect_model(path, {"a": [1, 8], "b": [1, 8]})
    assert [i.name for i in info.inputs] == ["a", "b"]


def test_effective_properties_are_read_back_after_clamping(tiny_model: Path) -> None:
    caps = runtime.device_capabilities("CPU")
    too_many = caps.streams_range[1] + 6
    cfg = RuntimeConfig(
        hint="NONE", streams=too_many, threads=caps.max_threads + 6, infer_requests=1
    )
    session = runtime.CompiledSession(str(tiny_model), {"images": [1, 3, 64, 64]}, cfg)
    eff = session.effective.properties
    assert int(eff["NUM_STREAMS"]) <= caps.streams_range[1]  # OpenVINO clamps silently
    assert int(eff["INFERENCE_NUM_THREADS"]) <= caps.max_threads
    assert session.effective.infer_requests == 1
    assert eff["INFERENCE_PRECISION_HINT"] in caps.precisions
    session.close()


def test_hint_presets_resolve_to_device_defaults(tiny_model: Path) -> None:
    latency = runtime.CompiledSession(
        str(tiny_model), {"images": [1, 3, 64, 64]}, preset_config("LATENCY")
    )
    throughput = runtime.CompiledSession(
        str(tiny_model), {"images": [1, 3, 64, 64]}, preset_config("THROUGHPUT")
    )
    assert latency.effective.properties["NUM_STREAMS"] == "1"
    assert latency.effective.properties["PERFORMANCE_HINT"] == "LATENCY"
    assert throughput.effective.properties["PERFORMANCE_HINT"] == "THROUGHPUT"
    # 0 requested → OPTIMAL_NUMBER_OF_INFER_REQUESTS, which is one per stream on CPU
    streams = int(throughput.effective.properties["NUM_STREAMS"])
    assert throughput.effective.infer_requests == streams
    assert latency.effective.infer_requests == 1
    assert (
        latency.effective.key() != throughput.effective.key()
        or runtime.device_capabilities("CPU").streams_range[1] == 1
    )


def test_batch_device_and_cache(static_model: Path, tmp_path: Path) -> None:
    cfg = RuntimeConfig(
        device="BATCH:CPU",
        hint="THROUGHPUT",
        auto_batch_size=2,
        auto_batch_timeout_ms=5,
        infer_requests=4,
    )
    first = runtime.CompiledSession(
        str(static_model), None, cfg, cache_dir=str(tmp_path / "cache")
    )
    assert first.effective.device == "BATCH:CPU(2)"
    assert first.effective.properties["AUTO_BATCH_TIMEOUT"] == "5"
    first.close()
    plain = RuntimeConfig(hint="LATENCY")
    runtime.CompiledSession(
        str(static_model), None, plain, cache_dir=str(tmp_path / "cache")
    ).close()
    again = runtime.CompiledSession(
        str(static_model), None, plain, cache_dir=str(tmp_path / "cache")
    )
    assert again.loaded_from_cache


def test_device_refusal_is_one_line(tiny_model: Path) -> None:
    cfg = RuntimeConfig(hint="LATENCY", precision="f64")
    with pytest.raises(DeviceError) as info:
        runtime.CompiledSession(str(tiny_model), {"images": [1, 3, 64, 64]}, cfg)
    assert "INFERENCE_PRECISION_HINT" in info.value.one_line()
    assert "core.cpp" not in info.value.one_line()


@pytest.mark.parametrize("kind", ["missing", "folder", "text", "bin_missing", "bin_itself"])
def test_unreadable_models(tmp_path: Path, tiny_model: Path, kind: str) -> None:
    if kind == "missing":
        path = tmp_path / "nope.xml"
    elif kind == "folder":
        path = tmp_path
    elif kind == "text":
        path = tmp_path / "notes.onnx"
        path.write_text("this is not a model")
    elif kind == "bin_missing":
        path = tmp_path / "lonely.xml"
        path.write_text(tiny_model.read_text())
    else:
        path = tiny_model.with_suffix(".bin")
    with pytest.raises(ModelError) as info:
        runtime.read_model(path)
    assert "\n" not in info.value.one_line()
    assert info.value.fix


def test_compile_cache_never_mixes_precisions(model_dir: Path, tmp_path: Path) -> None:
    """OpenVINO's cache key ignores INFERENCE_PRECISION_HINT (2026.4.1): without a folder per
    precision, a later f32 compile loads the f16 blob and silently computes in f16."""
    import numpy as np

    from tests.models import sensitive_model

    model = sensitive_model(model_dir / "sensitive_cache.xml")
    shape = {"x": [1, 64]}
    x = [np.random.default_rng(0).random((1, 64), dtype=np.float32)]
    exact = runtime.CompiledSession(
        str(model), shape, RuntimeConfig(precision="f32")
    ).infer_samples([x])[0]["y"]
    cache = str(tmp_path / "cache")
    lossy = runtime.CompiledSession(
        str(model), shape, RuntimeConfig(precision="f16"), cache_dir=cache
    ).infer_samples([x])[0]["y"]
    assert np.abs(lossy - exact).max() > 0.01 * np.abs(exact).max()  # f16 really is lossy here
    again = runtime.CompiledSession(
        str(model), shape, RuntimeConfig(precision="f32"), cache_dir=cache
    )
    assert np.array_equal(again.infer_samples([x])[0]["y"], exact)


def test_auto_over_one_device_is_that_devices_config(tiny_model: Path) -> None:
    shape = {"images": [1, 3, 64, 64]}
    auto = runtime.CompiledSession(
        str(tiny_model), shape, RuntimeConfig(device="AUTO", hint="LATENCY")
    )
    cpu = runtime.CompiledSession(str(tiny_model), shape, preset_config("LATENCY"))
    try:
        assert runtime.available_devices() == ["CPU"]  # what this test is about
        assert auto.effective.device == "CPU"
        assert auto.effective.key() == cpu.effective.key()
    finally:
        auto.close()
        cpu.close()


def test_batch_device_identity_says_whether_it_batches(
    static_model: Path, model_dir: Path
) -> None:
    """BATCH:CPU(4) batches a model whose batch axis it can find; on one whose flatten
    hard-codes batch 1 it silently runs one request at a time: the plain CPU config."""
    from tests.models import byte_classifier

    unbatchable = byte_classifier(model_dir / "bytes.xml")
    assert runtime.inspect_model(str(static_model), None).batch_axes.auto_batch
    found = runtime.inspect_model(str(unbatchable), None).batch_axes
    assert not found.auto_batch and "no batch axis" in found.auto_batch_reason
    batched = RuntimeConfig(device="BATCH:CPU", hint="THROUGHPUT", auto_batch_size=4)
    for model, batches in ((static_model, True), (unbatchable, False)):
        via_batch = runtime.CompiledSession(str(model), None, batched)
        plain = runtime.CompiledSession(str(model), None, RuntimeConfig(hint="THROUGHPUT"))
        try:
            assert (via_batch.effective.device == "BATCH:CPU(4)") == batches
            assert (via_batch.effective.key() == plain.effective.key()) == (not batches)
        finally:
            via_batch.close()
            plain.close()


def test_one_request_runs_the_sync_path(tiny_model: Path) -> None:
    shape = {"images": [1, 3, 64, 64]}
    latency = runtime.CompiledSession(str(tiny_model), shape, preset_config("LATENCY"))
    throughput = runtime.CompiledSession(str(tiny_model), shape, preset_config("THROUGHPUT"))
    try:
        assert isinstance(latency.pipeline, runtime.SyncPipeline)  # as benchmark_app -hint latency
        assert isinstance(throughput.pipeline, runtime.AsyncPipeline)
        assert latency.pipeline.start_next() > 0  # each call completes one inference
        assert latency.pipeline.drain() == []
    finally:
        latency.close()
        throughput.close()
