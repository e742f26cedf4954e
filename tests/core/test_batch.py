"""--layout parsing and the batch-axes record (plain data: no runtime)."""

from __future__ import annotations

import pytest

from autotune.core import BadInputError, BatchAxes, layout_axis, parse_layouts


def test_layouts_parse_in_benchmark_apps_syntax() -> None:
    assert parse_layouts("input[N...],state[?N?]") == {"input": "N...", "state": "?N?"}
    assert parse_layouts("[NCHW]") == {"": "NCHW"}
    assert parse_layouts(" a[.N..] , b[...] ") == {"a": ".N..", "b": "..."}
    for bad, why in [
        ("images", "not name\\[layout\\]"),
        ("a[NN..]", "two N axes"),
        ("a[N...],a[N...]", "names 'a' twice"),
        ("a[N-1]", "not letters and dots"),
        ("a[N...]b[N...]", "expected ','"),
    ]:
        with pytest.raises(BadInputError, match=why):
            parse_layouts(bad)


def test_the_batch_axis_of_a_layout_at_a_rank() -> None:
    assert layout_axis("N...", 4) == 0
    assert layout_axis("?N?", 3) == 1
    assert layout_axis("...N", 3) == 2
    assert layout_axis("NCHW", 4) == 0
    assert layout_axis("...", 2) is None and layout_axis("CHW", 3) is None
    with pytest.raises(ValueError, match="rank 3"):
        layout_axis("NCHW", 3)


def test_batch_axes_reshape_only_their_inputs() -> None:
    axes = BatchAxes({"input": 0, "state": 1}, {"output": 0, "stateN": 1}, searchable=True)
    base = {"input": [1, 576], "state": [2, 1, 128], "sr": []}
    assert axes.shape_at(base, 4) == {"input": [4, 576], "state": [2, 4, 128], "sr": []}
    assert axes.shape_at(base, 1) == base
    assert axes.layouts({"input": 2, "state": 3, "sr": 0}) == {
        "input": "N?",
        "state": "?N?",
        "sr": "...",
    }
    assert BatchAxes.from_dict(axes.to_dict()) == axes
    assert BatchAxes.from_dict(None) == BatchAxes()
    assert "input axis 0, state axis 1 → output axis 0, stateN axis 1" in axes.summary()
    refused = BatchAxes({"images": 0}, {"boxes": 1}, reason="a batch of 2 changes 'boxes'")
    assert refused.summary().startswith("batch not searched: a batch of 2 changes 'boxes'")
    assert "--layout" in refused.summary()
