"""Accuracy figures against the f32 reference: relative L2, top-1 on probability outputs."""

from __future__ import annotations

import numpy as np
import pytest

from autotune.measure._accuracy import compare_outputs, is_probability_vector


def softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)


def test_relative_l2_is_pooled_over_samples_and_top1_counts_flips() -> None:
    ref = [
        {"scores": softmax(np.array([[2.0, 1.0, 0.0]])), "map": np.full((1, 4), 2.0, np.float32)}
        for _ in range(4)
    ]
    got = [dict(r) for r in ref]
    got[3] = {
        "scores": softmax(np.array([[1.0, 2.0, 0.0]])),
        "map": np.full((1, 4), 2.2, np.float32),
    }
    figures = compare_outputs(ref, got, "random")
    scores, heat = figures["outputs"]["scores"], figures["outputs"]["map"]
    assert scores["top1"] == 0.75 and scores["positions"] == 4  # one of four answers flipped
    assert heat["top1"] is None  # a map is not a probability vector
    assert heat["rel_l2"] == pytest.approx(
        0.05, rel=1e-5
    )  # √(4·0.2²) / √(16·2²): pooled over samples
    assert figures["top1"] == 0.75 and figures["samples"] == 4 and figures["source"] == "random"
    assert figures["rel_l2"] == max(scores["rel_l2"], heat["rel_l2"])
    assert heat["max_rel"] == pytest.approx(0.1, rel=1e-5)  # the worst element, for information


def test_an_output_shaped_otherwise_is_unknown_never_zero() -> None:
    """A detection head reshaped to batch 2 gives [1,7098,6] where f32 gave [1,3549,6]: that
    output cannot be compared, and the record says so instead of reporting no drift."""
    ref = [{"boxes": np.ones((1, 3549, 6), np.float32), "scores": np.ones((1, 2), np.float32)}]
    got = [{"boxes": np.ones((1, 7098, 6), np.float32), "scores": np.ones((1, 2), np.float32)}]
    figures = compare_outputs(ref, got, "random")
    assert "boxes" not in figures["outputs"] and "scores" in figures["outputs"]
    assert "[1, 7098, 6]" in figures["unknown"]["boxes"]
    assert "[1, 3549, 6]" in figures["unknown"]["boxes"]


def test_a_missing_output_or_nothing_compared_is_unknown() -> None:
    ref = [{"y": np.ones((1, 3), np.float32)}]
    figures = compare_outputs(ref, [{}], "random")
    assert figures["unknown"] == {"y": "the config gives no output 'y'"}
    assert figures["rel_l2"] is None  # not 0: nothing was compared
    assert compare_outputs([], [], "random")["unknown"]


def test_probability_vectors_are_recognised() -> None:
    assert is_probability_vector(softmax(np.random.default_rng(0).standard_normal((2, 5, 10))))
    assert not is_probability_vector(
        np.random.default_rng(0).standard_normal((1, 10)).astype(np.float32)
    )
    assert not is_probability_vector(np.array([[1.0]], np.float32))  # one class is no choice


def test_samples_agree_only_when_every_answer_agrees() -> None:
    """Two samples of 3 positions each; one position of the second flips: 5/6 positions agree
    but only 1 of 2 samples does (the samples are the independent draws)."""
    ref = [np.eye(4, dtype=np.float32)[[0, 1, 2]], np.eye(4, dtype=np.float32)[[3, 2, 1]]]
    got = [ref[0].copy(), np.eye(4, dtype=np.float32)[[3, 2, 0]]]
    record = compare_outputs([{"p": r} for r in ref], [{"p": g} for g in got], "random")
    assert record["top1"] == pytest.approx(5 / 6)
    assert record["outputs"]["p"]["agreeing_samples"] == 1
    assert record["top1_agreeing_samples"] == 1
