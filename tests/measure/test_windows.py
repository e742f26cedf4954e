"""Window/percentile/stability logic, driven by a fake clock and a scripted pipeline."""

from __future__ import annotations

import math

import pytest

from autotune.judge import constrained_latency, throughput_of
from autotune.measure import (
    CpuSample,
    WindowPlan,
    judge_stability,
    measure,
    over_runs,
    percentile,
    quantile,
    run_windows,
    select_windows,
    warm_up,
)
from autotune.testing import FakeClock


class ScriptedPipeline:
    """One request at a time: every start_next completes the previous request after
    ``service_s`` (taken from a schedule that can change over time)."""

    def __init__(
        self,
        clock: FakeClock,
        service_s: float,
        requests: int = 1,
        frames: int = 1,
        items: int = 1,
    ):
        self.clock = clock
        self._items = items
        self.service_s = service_s
        self._requests = requests
        self._frames = frames
        self.started = 0

    @property
    def requests(self) -> int:
        return self._requests

    @property
    def frames_per_request(self) -> int:
        return self._frames

    @property
    def items(self) -> int:
        return self._items

    def start_next(self) -> float | None:
        self.started += 1
        if self.started <= self._requests:
            return None
        self.clock.advance(self.service_s / self._requests)
        return self.service_s * 1e3

    def drain(self) -> list[float]:
        self.clock.advance(self.service_s)
        return [self.service_s * 1e3] * self._requests


def quiet_cpu(clock: FakeClock):
    return lambda: CpuSample(total=int(clock() * 1000), steal=0, process_cpu_s=clock())


def test_percentile_is_nearest_rank_like_benchmark_app() -> None:
    values = list(range(1, 101))
    assert percentile(values, 50) == 50
    assert percentile(values, 90) == 90
    assert percentile(values, 99) == 99
    assert percentile([5.0], 90) == 5.0
    assert math.isnan(percentile([], 50))
    assert quantile([4, 1, 3, 2], 0.75) == 3


def test_warm_up_runs_every_shape_of_a_mix_once() -> None:
    """A dynamic model's first run at a shape is slow: warm-up covers each distinct input
    (64 shapes here), not only each request, whatever the warm-up time asked."""
    clock = FakeClock()
    done, _, _ = warm_up(ScriptedPipeline(clock, 0.001, requests=2, items=64), clock, 0.0)
    assert done >= 64
    done, _, _ = warm_up(ScriptedPipeline(clock, 0.001, requests=2), clock, 0.0)
    assert done == 2


def test_calibration_stretches_windows_for_slow_models() -> None:
    fast = WindowPlan.calibrate(requests_per_s=1000, trial_time_s=2.0)
    assert fast.windows == 5 and fast.window_s == pytest.approx(0.4)
    assert not fast.short
    slow = WindowPlan.calibrate(requests_per_s=10, trial_time_s=2.0)  # 30 requests need 3 s
    assert slow.window_s == pytest.approx(3.0)
    assert slow.windows == 3
    assert slow.short


def test_measure_with_fake_clock_gives_exact_figures() -> None:
    clock = FakeClock()
    pipe = ScriptedPipeline(clock, service_s=0.004, requests=2, frames=4)
    m = measure(pipe, trial_time_s=1.0, percent=90, clock=clock, cpu_reader=quiet_cpu(clock))
    # two requests in flight, 4 ms each → one completion every 2 ms → 500 req/s × 4 frames
    assert throughput_of(m.windows) == pytest.approx(2000, rel=0.02)
    assert m.latency_ms["p90"] == pytest.approx(4.0)
    assert constrained_latency(m.windows, 90) == pytest.approx(4.0)
    assert len(m.windows) == 5
    assert all(w.requests >= 30 for w in m.windows)
    assert m.stability().stable


class StealCpu:
    """Reports heavy steal during the given windows (by call count)."""

    def __init__(self, clock: FakeClock, steal_fraction_by_call: dict[int, float]):
        self.clock = clock
        self.calls = 0
        self.total = 0
        self.steal = 0
        self.by_call = steal_fraction_by_call

    def __call__(self) -> CpuSample:
        fraction = self.by_call.get(self.calls, 0.0)
        self.calls += 1
        self.total += 1000
        self.steal += int(1000 * fraction)
        return CpuSample(total=self.total, steal=self.steal, process_cpu_s=self.clock())


def test_windows_with_heavy_steal_are_flagged_and_remeasured() -> None:
    clock = FakeClock()
    pipe = ScriptedPipeline(clock, service_s=0.001)
    cpu = StealCpu(clock, {2: 0.3})  # the second window sees 30 % steal
    plan = WindowPlan(window_s=0.1, windows=4, max_extra_windows=2, short=False)
    windows, per_window = run_windows(pipe, plan, percent=90, clock=clock, cpu_reader=cpu)
    assert len(windows) == 5  # one extra window replaces the flagged one
    assert [w.flagged for w in windows] == [False, True, False, False, False]
    assert windows[1].steal == pytest.approx(0.3)
    assert len(select_windows(windows)) == 4
    assert len(per_window) == 5
    verdict = judge_stability(windows)
    assert any("steal" in w for w in verdict.warnings)


def test_extra_windows_are_bounded() -> None:
    clock = FakeClock()
    pipe = ScriptedPipeline(clock, service_s=0.001)
    cpu = StealCpu(clock, {i: 0.5 for i in range(1, 50)})  # steal in every window
    plan = WindowPlan(window_s=0.05, windows=3, max_extra_windows=2, short=False)
    windows, _ = run_windows(pipe, plan, percent=90, clock=clock, cpu_reader=cpu)
    assert len(windows) == 5
    assert select_windows(windows) == tuple(windows)  # too few clean ones: all are used


def test_constraint_uses_upper_quartile_across_windows() -> None:
    from autotune.measure import Window

    def window(i: int, p90: float, fps: float = 100.0) -> Window:
        return Window(
            i,
            10,
            10,
            0.1,
            fps,
            {"p50": 1.0, "p90": p90, "p99": p90, "mean": 1.0, "max": p90},
            0.0,
            0.0,
            1.0,
            False,
        )

    windows = [window(i, v) for i, v in enumerate([1.0, 2.0, 3.0, 10.0])]
    # nearest-rank 75 % of 4 values is the 3rd: one bad window does not decide alone
    assert constrained_latency(windows, 90) == 3.0


def test_unstable_windows_get_a_warning_with_remedy() -> None:
    from autotune.measure import STABILITY_REMEDY, Window

    def window(i: int, fps: float) -> Window:
        return Window(
            i,
            100,
            100,
            0.1,
            fps,
            {"p50": 1.0, "p90": 1.0, "p99": 1.0, "mean": 1.0, "max": 1.0},
            0.0,
            0.0,
            1.0,
            False,
        )

    steady = judge_stability([window(i, 100 + i) for i in range(5)])
    assert steady.stable
    noisy = judge_stability([window(i, f) for i, f in enumerate([50, 100, 150, 100, 60])])
    assert not noisy.stable
    assert any("varies" in w for w in noisy.warnings)
    assert any("differ" in w for w in noisy.warnings)
    assert "--trial-time" in STABILITY_REMEDY


def test_hopeless_config_gets_a_brief_measurement() -> None:
    clock = FakeClock()
    slow = ScriptedPipeline(clock, service_s=0.1)  # 100 ms per request vs a 5 ms limit
    m = measure(
        slow,
        trial_time_s=2.0,
        percent=90,
        clock=clock,
        cpu_reader=quiet_cpu(clock),
        latency_limit_ms=5.0,
    )
    assert m.extra_info["hopeless"]
    assert len(m.windows) == 3 and m.plan.window_s == pytest.approx(0.2)
    assert constrained_latency(m.windows, 90) == pytest.approx(
        100.0
    )  # recorded: infeasible, not lost
    c = FakeClock()
    ok = measure(
        ScriptedPipeline(c, service_s=0.004),
        trial_time_s=2.0,
        percent=90,
        latency_limit_ms=5.0,
        clock=c,
        cpu_reader=quiet_cpu(c),
    )
    assert not ok.extra_info["hopeless"]


def test_windows_count_the_latencies_over_the_limit_and_their_runs() -> None:
    assert over_runs([1.0, 30.0, 31.0, 2.0, 40.0], 20.0) == (3, 2 * 2 + 1)
    assert over_runs([], 20.0) == (0, 0)
    clock = FakeClock()
    pipeline = ScriptedPipeline(clock, 0.01)  # every request takes 10 ms
    plan = WindowPlan(window_s=0.5, windows=2, max_extra_windows=0, short=False)
    pipeline.start_next()
    windows, per_window = run_windows(
        pipeline, plan, percent=99, clock=clock, cpu_reader=quiet_cpu(clock), limit_ms=8.0
    )
    for w, latencies in zip(windows, per_window, strict=True):
        assert w.over == len(latencies) and w.over_sq == len(latencies) ** 2  # one long run
    fast, _ = run_windows(
        pipeline, plan, percent=99, clock=clock, cpu_reader=quiet_cpu(clock), limit_ms=20.0
    )
    assert all(w.over == 0 and w.over_sq == 0 for w in fast)
    unlimited, _ = run_windows(
        pipeline, plan, percent=99, clock=clock, cpu_reader=quiet_cpu(clock)
    )
    assert all(w.over is None for w in unlimited)
