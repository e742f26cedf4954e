"""The search space follows what the device reports."""

from __future__ import annotations

import optuna
import pytest

from autotune import runtime
from autotune.core import (
    BatchAxes,
    DeviceCapabilities,
    DeviceError,
    InputInfo,
    ModelInfo,
    RuntimeConfig,
)
from autotune.tuning import build_space, resolve_devices


def caps(
    streams: tuple[int, int] = (1, 4),
    threads: int = 4,
    precisions: tuple[str, ...] = ("f32", "bf16"),
    **kw: object,
) -> DeviceCapabilities:
    return DeviceCapabilities(
        name="CPU",
        full_name="test",
        streams_range=streams,
        max_threads=threads,
        precisions=precisions,
        default_precision="f32",
        supported_properties=frozenset(
            {"ENABLE_CPU_PINNING", "ENABLE_HYPER_THREADING", "SCHEDULING_CORE_TYPE"}
        ),
        **kw,  # type: ignore[arg-type]
    )


def model(
    batch: int = 1, reshapable: bool = True, static: bool = True, auto_batch: bool = True
) -> ModelInfo:
    shape = (batch, 3, 8, 8) if static else None
    axes = BatchAxes(
        {"x": 0},
        {"y": 0},
        batch=batch,
        searchable=reshapable and batch == 1,
        reason="" if reshapable else "a batch of 2 changes the outputs of 'y'",
        auto_batch=auto_batch and reshapable and batch == 1,
        auto_batch_reason="" if auto_batch else "OpenVINO finds no batch axis in it",
    )
    return ModelInfo(
        path="m.xml",
        inputs=(InputInfo("x", "[?,3,8,8]", "f32", shape),),
        outputs=("y",),
        shape=None,
        batch=batch,
        batch_axes=axes,
        sha256="0",
    )


def sample(space, n: int = 200, seed: int = 0) -> list[tuple[RuntimeConfig, dict]]:
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
    out = []
    for _ in range(n):
        trial = study.ask()
        out.append((space.suggest(trial), dict(trial.params)))
        study.tell(trial, 0.0)
    return out


def test_sampled_configs_stay_within_device_ranges() -> None:
    space = build_space(
        ["CPU", "AUTO", "BATCH:CPU"], caps(streams=(1, 3), threads=6), model(), max_batch=4
    )
    seen_devices, seen_precisions = set(), set()
    for cfg, params in sample(space):
        seen_devices.add(cfg.device)
        seen_precisions.add(cfg.precision)
        if cfg.streams is not None:
            assert 1 <= cfg.streams <= 3 and cfg.hint == "NONE"
            assert 1 <= cfg.threads <= 6
        else:
            assert "streams" not in params and "threads" not in params
        assert cfg.batch in (1, 2, 4)
        if cfg.device == "BATCH:CPU":
            assert cfg.batch == 1 and cfg.auto_batch_size in (2, 4)
            assert 1 <= cfg.auto_batch_timeout_ms <= 200  # never the 1000 ms default
            assert cfg.target_device == f"BATCH:CPU({cfg.auto_batch_size})"
        else:
            assert cfg.auto_batch_size is None and "AUTO_BATCH_TIMEOUT" not in cfg.properties()
        assert cfg.infer_requests == 0 and 1 <= cfg.request_multiplier <= 4
        assert cfg.hyper_threading is None  # the device reports no hyper-threading
        assert cfg.core_type is None  # nor hybrid cores
    assert seen_devices == {"CPU", "AUTO", "BATCH:CPU"}
    assert seen_precisions == {None, "f32", "bf16"}


def test_knobs_appear_only_where_the_hardware_has_them() -> None:
    space = build_space(
        ["CPU"], caps(hyper_threading=True, hybrid_cores=True), model(), max_batch=1
    )
    configs = [c for c, _ in sample(space)]
    assert {c.hyper_threading for c in configs if c.hint == "NONE"} == {True, False}
    assert {c.core_type for c in configs if c.hint == "NONE"} == {
        "ANY_CORE",
        "PCORE_ONLY",
        "ECORE_ONLY",
    }
    assert {c.batch for c in configs} == {1}


def test_batch_fixed_when_not_reshapable() -> None:
    space = build_space(["CPU"], caps(), model(batch=1, reshapable=False), max_batch=8)
    assert space.batches == (1,)


def test_presets_are_plain_hints() -> None:
    space = build_space(["CPU", "AUTO"], caps(), model(), max_batch=8)
    presets = space.presets()
    assert [p.preset for p in presets] == ["LATENCY", "THROUGHPUT"]
    assert presets[1].properties() == {"PERFORMANCE_HINT": "THROUGHPUT"}
    study = optuna.create_study()
    study.enqueue_trial(space.preset_params(presets[1]))
    trial = study.ask()
    assert space.suggest(trial) == presets[1].with_preset(None)


def test_device_resolution() -> None:
    m = model()
    # AUTO over one device is that device's config: searched only when it can choose
    assert resolve_devices(None, ["CPU"], m) == ["CPU", "BATCH:CPU"]
    assert resolve_devices(None, ["CPU", "GPU"], m) == [
        "CPU",
        "GPU",
        "AUTO",
        "BATCH:CPU",
        "BATCH:GPU",
    ]
    assert resolve_devices("cpu, BATCH:CPU(4), auto", ["CPU"], m) == ["CPU", "BATCH:CPU", "AUTO"]
    # a BATCH device that cannot batch the model is left out, and refused with the reason
    no_auto = model(auto_batch=False)
    assert resolve_devices(None, ["CPU"], no_auto) == ["CPU"]
    with pytest.raises(DeviceError, match="cannot batch this model: OpenVINO finds no batch"):
        resolve_devices("BATCH:CPU", ["CPU"], no_auto)
    # nor on a model whose batch was not proven (the numeric check failed)
    with pytest.raises(DeviceError, match="changes the outputs of 'y'"):
        resolve_devices("BATCH:CPU", ["CPU"], model(reshapable=False))
    assert resolve_devices(None, ["CPU"], model(reshapable=False)) == ["CPU"]
    with pytest.raises(DeviceError, match="GPU"):
        resolve_devices("GPU", ["CPU"], m)
    with pytest.raises(DeviceError, match="cannot batch"):
        resolve_devices("BATCH:CPU", ["CPU"], model(batch=4))
    assert "BATCH:CPU" not in resolve_devices(None, ["CPU"], model(batch=4))


def test_real_cpu_capabilities_shape_the_space() -> None:
    real = runtime.device_capabilities("CPU")
    low, high = real.streams_range
    assert 1 <= low <= high
    assert "f32" in real.precisions
    space = build_space(["CPU"], real, model(), max_batch=2)
    for cfg, _ in sample(space, 60):
        if cfg.streams is not None:
            assert low <= cfg.streams <= high
            assert cfg.threads <= real.max_threads
