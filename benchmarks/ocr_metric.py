"""Text-line accuracy of the PP-OCRv4 recognizer, for ``autotune search --accuracy-fn``.

A user's metric as the docs describe it: a function of every sample's outputs (in file order)
returning a number, higher is better. It greedy-decodes the CTC output with the model's own
character list and counts the lines read exactly as rendered (spaces ignored). The labels and
the character list come from ``labels.json``, written beside the samples by benchmarks/int8.py;
``OCR_LABELS`` names that file.
"""

from __future__ import annotations

import json
import os
from functools import cache

import numpy as np


@cache
def _labels() -> tuple[list[str], list[str]]:
    data = json.loads(open(os.environ["OCR_LABELS"], encoding="utf-8").read())
    return data["texts"], data["characters"]


def decode(probabilities: np.ndarray, characters: list[str]) -> str:
    """CTC greedy decoding: argmax per step, repeats collapsed, blanks (class 0) dropped."""
    best = probabilities.reshape(-1, probabilities.shape[-1]).argmax(-1)
    keep = np.concatenate([[True], best[1:] != best[:-1]]) & (best != 0)
    table = ["", *characters, " "]
    return "".join(table[i] if i < len(table) else "" for i in best[keep])


def line_accuracy(outputs: list[dict[str, np.ndarray]]) -> float:
    """The fraction of text lines read exactly (autotune passes the first samples in file
    order: at most 32)."""
    texts, characters = _labels()
    read = [decode(next(iter(o.values())), characters) for o in outputs]
    hits = [r.replace(" ", "") == t.replace(" ", "") for r, t in zip(read, texts, strict=False)]
    return float(np.mean(hits))
