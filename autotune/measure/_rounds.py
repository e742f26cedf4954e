"""Interleaved rounds of closed-loop windows (offline and single-stream): several configs
measured in turn (A B C, B C A, …), one window each per round, each window stretched to hold
enough requests for its percentile.

A config that reserves CPU cores (``ENABLE_CPU_RESERVATION``) needs a process of its own:
OpenVINO (2026.4) releases the first reservation a process makes, but not the later ones, so
after two the process has "no CPU resources available" for any compile. The worker is retired
after every job that compiles one (:class:`~autotune.measure.IsolatedRunner`), and interleaved
rounds with one among them run a window per job
(:class:`~autotune.measure.InterleavedJob`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autotune.measure._backend import Session
from autotune.measure._cpu import CpuSample
from autotune.measure._run import Clock, WindowPlan, run_windows, warm_up
from autotune.measure._window import MAX_STRETCH, window_requests


def interleaved_windows(
    open_session: Callable[[int], Session],
    count: int,
    *,
    rounds: int,
    first_round: int,
    window_s: float,
    percent: float,
    scenario: str,
    limit_ms: float | None,
    clock: Clock,
    cpu_reader: Callable[[], CpuSample],
) -> dict[str, Any]:
    """Each config's windows, one a round; ``open_session(i)`` compiles config i."""
    sessions: list[Session] = []
    try:
        for index in range(count):
            sessions.append(open_session(index))
        plans = [_plan(s, clock, window_s, scenario, percent) for s in sessions]
        windows: list[list[dict[str, Any]]] = [[] for _ in sessions]
        for r in range(first_round, first_round + rounds):
            for index in [(r + i) % count for i in range(count)]:
                pipeline = sessions[index].pipeline
                # Refill the drained pipeline: one completion per request, then measure.
                warm_up(pipeline, clock, 0.0)
                measured, _ = run_windows(
                    pipeline,
                    plans[index],
                    percent=percent,
                    clock=clock,
                    cpu_reader=cpu_reader,
                    limit_ms=limit_ms,
                )
                window = measured[0].to_dict()
                window["index"] = r
                windows[index].append(window)
        return {
            "configs": [
                {"key": s.effective.key(), "effective": s.effective.to_dict(), "windows": w}
                for s, w in zip(sessions, windows, strict=True)
            ]
        }
    finally:
        for opened in sessions:
            opened.close()


def _plan(
    session: Session, clock: Clock, window_s: float, scenario: str, percent: float
) -> WindowPlan:
    """The config's window, sized once: the first inference, a calibration warm-up (the
    configs were warm in the search already), then stretched for the percentile's tail, up to
    MAX_STRETCH windows (the timeout's)."""
    session.first_inference_ms()
    done, span, _ = warm_up(session.pipeline, clock, min(0.2, window_s / 4))
    session.pipeline.drain()
    rate = done / span if span > 0 else 0.0
    needed = window_requests(scenario, percent)
    length = max(window_s, min(needed / rate, MAX_STRETCH * window_s) if rate > 0 else window_s)
    return WindowPlan(window_s=length, windows=1, max_extra_windows=0, short=False)
