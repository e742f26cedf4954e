"""Runtime configurations: properties and labels from the knob table, presets, simplicity."""

from __future__ import annotations

from autotune.core import (
    IDENTITY_PROPERTIES,
    KNOBS,
    EffectiveConfig,
    RuntimeConfig,
    device_rank,
    preset_config,
    preset_label,
    preset_named,
    simplicity,
)


def test_properties_come_from_the_knob_table() -> None:
    config = RuntimeConfig(
        hint="NONE", streams=2, threads=4, precision="f32", cpu_pinning=False, infer_requests=3
    )
    assert config.properties() == {
        "PERFORMANCE_HINT_NUM_REQUESTS": "3",
        "NUM_STREAMS": "2",
        "INFERENCE_NUM_THREADS": "4",
        "INFERENCE_PRECISION_HINT": "f32",
        "ENABLE_CPU_PINNING": "NO",
    }
    assert config.describe() == "CPU no-hint nireq3 2s 4t f32 nopin"
    assert IDENTITY_PROPERTIES == tuple(k.prop for k in KNOBS)
    assert {k.field for k in KNOBS} <= set(
        RuntimeConfig.__dataclass_fields__
    )  # every knob has a field


def test_presets_and_their_names() -> None:
    latency = preset_config("LATENCY")
    assert latency.properties() == {
        "PERFORMANCE_HINT": "LATENCY"
    }  # as benchmark_app -hint latency
    pinned = preset_named("THROUGHPUT f32")
    assert pinned.preset == "THROUGHPUT f32" and pinned.precision == "f32"
    assert pinned.properties() == {
        "PERFORMANCE_HINT": "THROUGHPUT",
        "INFERENCE_PRECISION_HINT": "f32",
    }
    assert (
        preset_label("THROUGHPUT f32") == "THROUGHPUT hint, f32"
        and preset_label("LATENCY") == "LATENCY hint"
    )


def test_the_simplest_request_is_preferred() -> None:
    assert device_rank("CPU") < device_rank("AUTO") < device_rank("BATCH:CPU")
    ordered = sorted(
        [
            RuntimeConfig(device="AUTO", hint="LATENCY"),
            RuntimeConfig(hint="NONE", streams=1, threads=2),
            preset_config("LATENCY"),
            RuntimeConfig(device="BATCH:CPU", auto_batch_size=4),
        ],
        key=simplicity,
    )
    assert [c.device for c in ordered] == ["CPU", "CPU", "AUTO", "BATCH:CPU"]
    assert ordered[0].preset == "LATENCY"


def test_effective_identity_ignores_what_does_not_change_the_run() -> None:
    a = EffectiveConfig("CPU", 1, 2, {"NUM_STREAMS": "2", "EXECUTION_DEVICES": "CPU"})
    b = EffectiveConfig("CPU", 1, 2, {"NUM_STREAMS": "2", "OPTIMAL_NUMBER_OF_INFER_REQUESTS": "2"})
    assert a.key() == b.key()
    assert a.key() != EffectiveConfig("CPU", 2, 2, {"NUM_STREAMS": "2"}).key()
