"""The traffic's shapes: --shape ranges and weighted lists, the samples' own mix, and the
buckets a policy compiles (plain data)."""

from __future__ import annotations

import random

import pytest

from autotune.core import (
    BOUNDED,
    DYNAMIC,
    BadInputError,
    ShapeMix,
    bucket_of,
    bucket_shapes,
    parse_shape_mix,
    policy_shapes,
)


def test_ranges_and_weighted_lists_parse_and_draw() -> None:
    ranged = parse_shape_mix("x[1,3,48,96..512]")
    assert ranged.varies and ranged.varying_axes() == {"x": [3]}
    assert ranged.bounds_by_input() == ({"x": [1, 3, 48, 96]}, {"x": [1, 3, 48, 512]})
    widths = [s["x"][3] for s in ranged.sequence(seed=1, length=500)]
    assert 96 <= min(widths) < 150 and 460 < max(widths) <= 512
    assert ranged.sequence(seed=1) == ranged.sequence(seed=1)  # every config: the same requests
    weighted = parse_shape_mix("x[1,3,48,128:0.5|256:0.3|512:0.2]")
    drawn = [s["x"][3] for s in weighted.sequence(seed=2, length=2000)]
    assert set(drawn) == {128, 256, 512}
    assert drawn.count(128) / 2000 == pytest.approx(0.5, abs=0.05)
    assert drawn.count(512) / 2000 == pytest.approx(0.2, abs=0.05)
    assert not parse_shape_mix("x[1,3,48,320]").varies
    assert ShapeMix.from_dict(weighted.to_dict()) == weighted
    assert weighted.describe() == "x[1,3,48,128:0.5|256:0.3|512:0.2]"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("x[1,3,48,512..96]", "empty or not positive"),
        ("x[1,3,48,a..b]", "not a size, a range"),
        ("x[1,3,48,128:x|256]", "not a size, a range"),
        ("x[1,3,48,0]", "not a size, a range"),
        ("x[1,3]y[2]", "benchmark_app syntax"),
    ],
)
def test_bad_shapes_are_one_line_errors(text: str, why: str) -> None:
    with pytest.raises(BadInputError, match=why):
        parse_shape_mix(text)


def test_the_samples_own_shapes_are_a_mix_weighted_by_count() -> None:
    shapes = [{"ids": [1, 7]}, {"ids": [1, 7]}, {"ids": [1, 30]}]
    mix = ShapeMix.of_samples(shapes, "samples/")
    assert mix.varies and mix.source == "samples/"
    drawn = [s["ids"][1] for s in mix.sequence(seed=0, length=3000)]
    assert drawn.count(7) / 3000 == pytest.approx(2 / 3, abs=0.04)
    assert "2 shapes from samples/" in mix.describe()


def test_buckets_cover_every_shape_and_policies_shape_the_model() -> None:
    mix = parse_shape_mix("x[1,3,48,96..512]")
    buckets = bucket_shapes(mix, 3)
    assert len(buckets) == 3 and buckets[-1] == {"x": [1, 3, 48, 512]}
    widths = [b["x"][3] for b in buckets]
    assert widths == sorted(widths) and widths[0] < 512
    rng = random.Random(5)
    for _ in range(200):
        shape = mix.draw(rng)
        chosen = buckets[bucket_of(shape, buckets)]
        assert chosen["x"][3] >= shape["x"][3]
        smaller = [b for b in buckets if b["x"][3] < chosen["x"][3]]
        assert all(b["x"][3] < shape["x"][3] for b in smaller)  # the smallest that fits
    assert policy_shapes(mix, DYNAMIC) == [{"x": [1, 3, 48, -1]}]
    assert policy_shapes(mix, BOUNDED) == [{"x": [1, 3, 48, (96, 512)]}]
    assert policy_shapes(mix, "buckets3") == buckets
    histogram = mix.histogram(bins=4)["x[3]"]
    assert sum(histogram["counts"]) == 1000 and histogram["edges"][0] == 96
