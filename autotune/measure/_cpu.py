"""CPU counters from /proc/stat: hypervisor steal and iowait while a window ran, and this
process's CPU use."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class CpuSample:
    """Cumulative CPU counters at one instant (system jiffies and this process's CPU time)."""

    total: int = 0
    steal: int = 0
    iowait: int = 0
    process_cpu_s: float = 0.0


def read_cpu_sample() -> CpuSample:
    """Read /proc/stat's aggregate ``cpu`` line; zeros where it does not exist (non-Linux)."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            values = [int(v) for v in f.readline().split()[1:]]
    except (OSError, ValueError):
        return CpuSample(process_cpu_s=time.process_time())
    total = sum(values[:8])
    iowait = values[4] if len(values) > 4 else 0
    steal = values[7] if len(values) > 7 else 0
    return CpuSample(total=total, steal=steal, iowait=iowait, process_cpu_s=time.process_time())


def cpu_fractions(a: CpuSample, b: CpuSample, wall_s: float) -> tuple[float, float, float]:
    total = b.total - a.total
    steal = (b.steal - a.steal) / total if total > 0 else 0.0
    iowait = (b.iowait - a.iowait) / total if total > 0 else 0.0
    cpus = os.cpu_count() or 1
    util = (b.process_cpu_s - a.process_cpu_s) / (wall_s * cpus) if wall_s > 0 else 0.0
    return steal, iowait, util
