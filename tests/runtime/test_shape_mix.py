"""Dynamic models over the traffic's mix of shapes, on the real runtime: every policy computes
each request at its own shape (buckets: padded, outputs cut back), the pipelines draw their
requests from the mix and keep latency per shape."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from autotune import runtime
from autotune.core import BOUNDED, DYNAMIC, RuntimeConfig, parse_shape_mix
from autotune.measure import measure, random_samples
from tests.models import sequence_conv_model, token_tagger_model


@pytest.fixture(scope="module")
def tagger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return token_tagger_model(tmp_path_factory.mktemp("mix") / "tagger.xml")


@pytest.fixture(scope="module")
def conv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sequence_conv_model(tmp_path_factory.mktemp("mix") / "conv.xml")


def session(path: Path, mix_text: str, policy: str, pad: dict | None = None, **kw):
    mix = parse_shape_mix(mix_text)
    info = runtime.inspect_model(str(path), None, mix=mix)
    config = RuntimeConfig(precision="f32", shape_policy=policy, **kw)
    return info, runtime.CompiledSession(str(path), None, config, mix=info.mix, pad=pad)


def test_a_mix_is_inspected_at_its_median_and_never_batched(tagger: Path) -> None:
    info = runtime.inspect_model(str(tagger), None, mix=parse_shape_mix("[1,4..60]"))
    assert info.mix is not None and info.mix.names == ["ids"]  # the unnamed shape, named
    assert info.inputs[0].shape is not None and 4 <= info.inputs[0].shape[1] <= 60
    assert info.inputs[0].role == "ids" and info.inputs[0].high == 100
    assert not info.batch_axes.searchable and "vary" in info.batch_axes.reason
    with pytest.raises(autotune_error(), match="the model fixes it"):
        runtime.inspect_model(str(tagger), None, mix=parse_shape_mix("ids[1..2,8]"))


def autotune_error() -> type[Exception]:
    from autotune.core import ModelError

    return ModelError


@pytest.mark.parametrize("policy", [DYNAMIC, BOUNDED, "buckets3"])
def test_every_policy_computes_each_request_at_its_own_shape(tagger: Path, policy: str) -> None:
    """A tagger sees no other position, so padding a request up to its bucket and cutting the
    outputs back gives exactly the dynamic model's outputs."""
    info, reference = session(tagger, "ids[1,4..60]", DYNAMIC)
    _, candidate = session(tagger, "ids[1,4..60]", policy, pad={"ids": 0})
    try:
        samples = random_samples(info.inputs, count=12, mix=info.mix)
        assert len({s[0].shape for s in samples}) > 4  # distinct lengths
        assert len(candidate.models) == (3 if policy == "buckets3" else 1)
        for got, want in zip(
            candidate.infer_samples(samples), reference.infer_samples(samples), strict=True
        ):
            assert got["tags"].shape == want["tags"].shape
            np.testing.assert_allclose(got["tags"], want["tags"], rtol=1e-5, atol=1e-6)
    finally:
        reference.close()
        candidate.close()


def test_padding_that_changes_the_outputs_shows_as_drift(conv: Path) -> None:
    """A convolution sees its neighbours: padded requests differ next to their end, and the
    guard sees it (the figures are never assumed)."""
    info, reference = session(conv, "features[1,8,16..64]", DYNAMIC)
    _, buckets = session(conv, "features[1,8,16..64]", "buckets2", pad={"features": 0.5})
    try:
        samples = random_samples(info.inputs, count=8, mix=info.mix)
        errors = []
        for got, want in zip(
            buckets.infer_samples(samples), reference.infer_samples(samples), strict=True
        ):
            assert got["frames"].shape == want["frames"].shape
            errors.append(np.abs(got["frames"] - want["frames"]).max())
        assert max(errors) > 1e-3  # a pad of 0.5 leaks into the last positions
    finally:
        reference.close()
        buckets.close()


@pytest.mark.parametrize("requests", [1, 3])
def test_pipelines_draw_requests_from_the_mix_and_keep_latency_per_shape(
    tagger: Path, requests: int
) -> None:
    _, candidate = session(tagger, "ids[1,8:0.5|32:0.3|64:0.2]", DYNAMIC, infer_requests=requests)
    try:
        result = measure(candidate.pipeline, trial_time_s=0.3, percent=90)
        by_shape = result.extra_info["by_shape"]
        assert set(by_shape) == {"ids[8]", "ids[32]", "ids[64]"}
        counts = {k: v["requests"] for k, v in by_shape.items()}
        assert counts["ids[8]"] > counts["ids[64]"]  # drawn by weight
        assert sum(counts.values()) == result.requests
    finally:
        candidate.close()
