"""Resident memory of this process from /proc (Linux), with a resettable peak."""

from __future__ import annotations

from pathlib import Path


def _status_kb(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def rss_bytes() -> int | None:
    kb = _status_kb("VmRSS")
    return kb * 1024 if kb is not None else None


def peak_rss_bytes() -> int | None:
    """VmHWM: the peak resident set since start or since :func:`reset_peak`."""
    kb = _status_kb("VmHWM")
    return kb * 1024 if kb is not None else None


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (writing 5 to clear_refs, Linux ≥ 4.0)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True
