"""Shared bits of the benchmark scripts: environment header, steal readings, tables."""

from __future__ import annotations

import datetime
import platform
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "benchmarks" / ".cache"
sys.path.insert(0, str(ROOT))


def read_steal() -> tuple[int, int]:
    """(steal jiffies, total jiffies) from /proc/stat."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    return values[7], sum(values[:8])


class StealMeter:
    """Steal fraction of the machine between start() and stop()."""

    def __enter__(self) -> StealMeter:
        self.start = read_steal()
        return self

    def __exit__(self, *exc: object) -> None:
        end = read_steal()
        total = end[1] - self.start[1]
        self.fraction = (end[0] - self.start[0]) / total if total else 0.0


def fresh_study(study: str, storage: str) -> None:
    """Delete an earlier run's study: searching the same name again would resume it (its
    trials already done) instead of measuring anew."""
    import optuna

    try:
        optuna.delete_study(study_name=study, storage=storage)
    except KeyError:
        pass


def header(title: str) -> None:
    from autotune import runtime
    from autotune.measure import collect_environment

    env = collect_environment()
    print(f"# {title}")
    print(
        f"# {datetime.date.today()} · {env['cpu']} · {env['available_cpus']} CPUs · "
        f"OpenVINO {runtime.runtime_version().split('-')[0]} · Python {platform.python_version()}"
    )
    print(f"# default precision here: {runtime.device_capabilities('CPU').default_precision}")


def table(rows: Sequence[Sequence[object]], headers: Sequence[str]) -> str:
    cells = [[str(h) for h in headers], *[[str(c) for c in r] for r in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
