"""Environment metadata saved with every study (pyperf style) and the hardware fingerprint
that decides whether two workers may share a study."""

from __future__ import annotations

import os
import platform
import socket
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from autotune.core import StudyError

FINGERPRINT_KEYS = ("cpu", "logical_cpus", "openvino", "devices")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return None


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _memory_total() -> int | None:
    text = _read("/proc/meminfo") or ""
    for line in text.splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) * 1024
    return None


def collect_environment() -> dict[str, Any]:
    """Everything that could explain a difference between two measurements."""
    from autotune import runtime  # openvino: only where an environment is recorded

    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = os.cpu_count() or 1
    return {
        "host": socket.gethostname(),
        "cpu": _cpu_model(),
        "logical_cpus": os.cpu_count(),
        "available_cpus": affinity,
        "memory_bytes": _memory_total(),
        "governor": _read("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"),
        "kernel": platform.release(),
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "openvino": runtime.runtime_version(),
        "optuna": _version("optuna"),
        "autotune": _version("autotune"),
        "devices": runtime.device_full_names(),
        "recorded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def fingerprint(environment: dict[str, Any]) -> dict[str, Any]:
    """The part of the environment that must match for measurements to be comparable."""
    return {k: environment.get(k) for k in FINGERPRINT_KEYS}


def check_fingerprint(study_fp: dict[str, Any], here: dict[str, Any], allow_mixed: bool) -> None:
    """Refuse to add this machine's measurements to a study measured on other hardware."""
    differences = [
        f"{k}: study {study_fp.get(k)!r} vs here {here.get(k)!r}"
        for k in FINGERPRINT_KEYS
        if study_fp.get(k) != here.get(k)
    ]
    if differences and not allow_mixed:
        raise StudyError(
            "this machine's hardware fingerprint differs from the study's "
            f"({'; '.join(differences)})",
            "use another --study name, or pass --allow-mixed-hardware to join anyway",
        )
