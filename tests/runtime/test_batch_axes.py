"""Batch axes are found, proven in f32 with distinct samples, and used wherever a batch is made:
on models as found in the wild (tests/wild.py), not only "one image, batch first"."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from autotune import runtime
from autotune.core import BadInputError, RuntimeConfig, parse_layouts, parse_shape
from autotune.measure import random_samples
from tests.wild import Wild, corpus


@pytest.fixture(scope="module")
def wild(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Wild]:
    return {w.path.stem: w for w in corpus(tmp_path_factory.mktemp("wild"))}


def inspect(w: Wild, layout: str | None = None, sizes: tuple[int, ...] = (2, 4)):
    shape = parse_shape(w.shape) if w.shape else None
    layouts = parse_layouts(layout) if layout else None
    return runtime.inspect_model(str(w.path), shape, layouts=layouts, batch_sizes=sizes)


@pytest.mark.parametrize(
    "stem", ["fixed_head", "vad_state", "ctc", "shared_table", "tokens", "scalar"]
)
def test_the_axes_found_are_the_models_own(wild: dict[str, Wild], stem: str) -> None:
    w = wild[stem]
    axes = inspect(w).batch_axes
    assert axes.searchable == w.batchable, axes.summary()
    if w.batchable:
        assert axes.inputs == w.inputs and axes.outputs == w.outputs
        assert axes.checked == (2, 4) and axes.worst_rel_l2 is not None
        assert axes.worst_rel_l2 <= 1e-3
    else:
        assert not axes.checked


def test_a_head_that_accepts_batch_2_but_mixes_samples_is_not_batchable(
    wild: dict[str, Wild],
) -> None:
    """The reshape to batch 2 succeeds and doubles one output axis; only the numbers show that
    each row now mixes both samples."""
    axes = inspect(wild["fixed_head"]).batch_axes
    assert axes.inputs == {"images": 0} and axes.outputs == {"boxes": 1}  # shape inference
    assert "a batch of 2 changes the outputs of 'boxes'" in axes.reason
    assert axes.worst_rel_l2 is not None and axes.worst_rel_l2 > 0.05
    assert not axes.auto_batch
    assert axes.summary().startswith("batch not searched: a batch of 2 changes")


def test_a_declared_layout_is_checked_like_a_found_one(wild: dict[str, Wild]) -> None:
    vad = wild["vad_state"]
    declared = inspect(vad, "input[N.],state[?N?]").batch_axes
    assert declared.searchable and declared.inputs == {"input": 0, "state": 1}
    assert declared.source == "--layout"
    with pytest.raises(BadInputError, match="--layout"):
        inspect(vad, "input[N.],state[N??]")  # the state's axis 0 is its layers, not a batch
    with pytest.raises(BadInputError, match="changes the outputs of 'boxes'"):
        inspect(wild["fixed_head"], "images[N...]")
    with pytest.raises(BadInputError, match="which the model does not have"):
        inspect(vad, "audio[N.]")
    with pytest.raises(BadInputError, match="rank"):
        inspect(vad, "state[N.]")


def test_roles_fill_ids_in_range_and_states_with_zeros(wild: dict[str, Wild]) -> None:
    tokens = inspect(wild["tokens"])
    assert [(i.name, i.role, i.high) for i in tokens.inputs] == [("ids", "ids", 50)]
    samples = random_samples(tokens.inputs, count=8)
    ids = np.stack([s[0] for s in samples])
    assert ids.dtype == np.int64 and ids.min() >= 0 and ids.max() < 50 and ids.max() >= 10
    vad = inspect(wild["vad_state"])
    assert [i.role for i in vad.inputs] == ["data", "state"]
    session = runtime.CompiledSession(
        str(wild["vad_state"].path), None, RuntimeConfig(precision="f32", infer_requests=1)
    )
    try:
        assert not np.any(
            runtime.random_inputs(
                session.compiled,
                runtime.input_roles(runtime.read_model(str(wild["vad_state"].path))),
            )[1]
        )
    finally:
        session.close()


@pytest.mark.parametrize("stem", ["vad_state", "ctc", "shared_table", "tokens", "scalar"])
def test_a_batched_config_computes_each_samples_own_outputs(
    wild: dict[str, Wild], stem: str
) -> None:
    """What the accuracy guard runs: distinct samples stacked along the input axes, outputs cut
    along the output axes — equal, sample by sample, to batch 1 in f32. Inputs without a batch
    axis keep the model's own shape."""
    w = wild[stem]
    info = inspect(w)
    axes = info.batch_axes
    shared = [i.name for i in info.inputs if i.name not in axes.inputs]
    samples = random_samples(info.inputs, count=6, shared=shared)
    single = runtime.CompiledSession(
        str(w.path), info.shape, RuntimeConfig(precision="f32", infer_requests=1), batch_axes=axes
    )
    batched = runtime.CompiledSession(
        str(w.path),
        info.shape,
        RuntimeConfig(hint="THROUGHPUT", batch=4, precision="f32"),
        batch_axes=axes,
    )
    try:
        for port in batched.compiled.inputs:
            name = port.get_any_name()
            expected = list(next(i.shape for i in info.inputs if i.name == name) or ())
            if name in axes.inputs:
                expected[axes.inputs[name]] = 4
            assert list(port.get_shape()) == expected, name
        alone = single.infer_samples(samples)
        together = batched.infer_samples(samples)  # 6 samples: one full batch, one padded
        for a, b in zip(alone, together, strict=True):
            for name in a:
                np.testing.assert_allclose(b[name], a[name], rtol=1e-4, atol=1e-5)
    finally:
        single.close()
        batched.close()


def test_the_batch_device_gets_distinct_concurrent_requests(wild: dict[str, Wild]) -> None:
    w = wild["shared_table"]
    info = inspect(w)
    assert info.batch_axes.auto_batch, info.batch_axes.summary()
    samples = random_samples(info.inputs, count=5, shared=["table"])
    session = runtime.CompiledSession(
        str(w.path),
        None,
        RuntimeConfig(device="BATCH:CPU", hint="THROUGHPUT", auto_batch_size=4, precision="f32"),
        batch_axes=info.batch_axes,
    )
    reference = runtime.CompiledSession(str(w.path), None, RuntimeConfig(precision="f32"))
    try:
        assert session.effective.device.startswith("BATCH")  # it really batches
        for got, want in zip(
            session.infer_samples(samples), reference.infer_samples(samples), strict=True
        ):
            np.testing.assert_allclose(got["y"], want["y"], rtol=1e-5, atol=1e-6)
    finally:
        session.close()
        reference.close()


def test_a_batch_without_axes_is_refused(wild: dict[str, Wild], tmp_path: Path) -> None:
    """No code path may fall back to "dimension 0 of every input"."""
    with pytest.raises(ValueError, match="without batch axes"):
        runtime.prepare_model(str(wild["vad_state"].path), None, batch=2)


def test_combinations_are_generated_lazily_best_first() -> None:
    """A model with 50 inputs (a KV cache) has 2⁵⁰ combinations: only the best 64 are made."""
    from itertools import islice

    from autotune.runtime._batch import MAX_COMBINATIONS, _combinations

    options: list[list[int | None]] = [[0, None]] * 50
    combos = list(_combinations(options))
    assert len(combos) == MAX_COMBINATIONS
    assert combos[0] == (0,) * 50  # every input batched first
    assert sum(a is None for a in combos[1]) == 1  # then one input shared
    vad = list(islice(_combinations([[0, None], [1, None], [None]]), 10))
    assert vad[0] == (0, 1, None) and (None, None, None) not in vad
