"""--inputs: samples for models that take more than one image (several inputs per sample, a
state batched on axis 1, stacks along each input's own batch axis)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from autotune.core import BadInputError, InputInfo
from autotune.measure import load_samples, random_samples

VAD = (
    InputInfo("input", "[1,64]", "f32", (1, 64)),
    InputInfo("state", "[2,1,16]", "f32", (2, 1, 16), role="state"),
)
AXES = {"input": 0, "state": 1}


def test_one_npz_per_sample_holds_every_input(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    for i in range(3):
        np.savez(
            tmp_path / f"{i}.npz",
            input=rng.random((64,), dtype=np.float32),  # without its batch axis
            state=rng.random((2, 1, 16), dtype=np.float32),  # as the input is
        )
    samples = load_samples(tmp_path, VAD, axes=AXES)
    assert len(samples) == 3
    assert [a.shape for a in samples[0]] == [(1, 64), (2, 1, 16)]
    np.savez(tmp_path / "3.npz", input=np.zeros((1, 64), np.float32))
    with pytest.raises(BadInputError, match="3.npz has no array for input 'state'"):
        load_samples(tmp_path, VAD, axes=AXES)


def test_a_stack_is_split_along_the_inputs_own_batch_axis(tmp_path: Path) -> None:
    """Five states stacked as the model batches them, [2, 5, 16]: five samples of [2, 1, 16]
    (not two samples of [1, 5, 16], as "axis 0 is the batch" would cut them)."""
    states = np.random.default_rng(1).random((2, 5, 16), dtype=np.float32)
    np.save(tmp_path / "state.npy", states)
    np.save(tmp_path / "input.npy", np.zeros((5, 64), np.float32))
    samples = load_samples(tmp_path, VAD, axes=AXES)
    assert len(samples) == 5
    np.testing.assert_array_equal(samples[3][1], states[:, 3:4, :])
    np.save(tmp_path / "state.npy", np.zeros((3, 1, 16), np.float32))
    with pytest.raises(BadInputError, match=r"expects \[2, 1, 16\] \(batch axis 1\)"):
        load_samples(tmp_path, VAD, axes=AXES)


def test_random_samples_share_what_a_batch_shares() -> None:
    table = InputInfo("table", "[8,4]", "f32", (8, 4))
    x = InputInfo("x", "[1,8]", "f32", (1, 8))
    samples = random_samples((x, table), count=4, shared=["table"])
    assert all(np.array_equal(s[1], samples[0][1]) for s in samples)
    assert not np.array_equal(samples[0][0], samples[1][0])  # distinct where batched
