"""Turning OpenVINO's multi-line exception texts into one readable line."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator


def openvino_message(exc: BaseException, limit: int = 200) -> str:
    """The line of an OpenVINO error that says what is wrong (not the C++ call chain)."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    useful = [ln for ln in lines if not ln.startswith(("Exception from ", "Check '"))]
    text = (useful or lines or [repr(exc)])[0]
    return text if len(text) <= limit else text[: limit - 1] + "…"


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Silence native stderr (OpenVINO's frontends log to fd 2 when probing a non-model)."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
