"""The interleaved jobs, typed: several configs re-measured in the worker in turn (A B C, B C A,
…), one window each per round — what the confirmation stage and ``autotune validate`` both
run — with the one timeout each gets. :class:`InterleavedJob` measures rounds (offline
windows, or in the server scenario a short rate search each); :class:`RateJob` measures one
open-loop window per config at a fixed rate, the windows a proof of a stated rate asks for."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from autotune.core import MULTI_STREAM, OFFLINE, SERVER, SINGLE_STREAM, RuntimeConfig
from autotune.measure._runner import Runner, default_trial_timeout, reserves_cores
from autotune.measure._serving import LoadPoint
from autotune.measure._window import Window

# A window's share of the timeout: an offline window costs about 3 (the refill, the window, the
# drain); a server window is a short search for the sustainable rate, up to about 8.
# A single-stream window is a sync loop stretched to hold enough requests for its percentile
# (up to 10 windows' length); a multi-stream one is a short search for the sources held.
WINDOW_COST = {OFFLINE: 3.0, SERVER: 8.0, SINGLE_STREAM: 12.0, MULTI_STREAM: 8.0}


@dataclass(frozen=True)
class InterleavedJob:
    """The payload of the ``measure_interleaved`` handler, typed."""

    model_path: str
    shape: dict[str, list[int]] | None
    batch_axes: dict[str, Any] | None
    configs: tuple[RuntimeConfig, ...]
    rounds: int
    window_s: float
    percent: float
    variants: dict[str, str] | None = None
    cache_dir: str | None = None
    mix: dict[str, Any] | None = None  # the traffic's shapes, when they vary
    pad: dict[str, float] | None = None  # bucket policies' pad values
    first_round: int = 0  # rounds added to earlier ones are numbered on
    scenario: str = OFFLINE
    # server scenario: where each config's rate search starts
    start_rates: tuple[float, ...] = field(default_factory=tuple)
    # the latency limit: a server window's rate must hold it; an offline window counts the
    # requests over it (the claim of a few-sample window, autotune.judge.tail_evidence)
    latency_limit_ms: float | None = None
    # multi-stream: frames/s per source and the fixed count (None: count the most held, each
    # config starting from ``start_rates``, the sources it held before)
    fps: float | None = None
    streams: int | None = None
    # server: the Poisson rate every config is measured at (--objective latency --rate R);
    # None: each round searches each config's sustainable rate
    at_rate: float | None = None

    @property
    def timeout_s(self) -> float:
        """Room for a slow compile, then every window of every round."""
        windows = len(self.configs) * self.rounds
        return default_trial_timeout(self.window_s) + (
            WINDOW_COST.get(self.scenario, WINDOW_COST[SERVER]) * windows * self.window_s
        )

    def payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "model_path": self.model_path,
            "shape": self.shape,
            "batch_axes": self.batch_axes,
            "mix": self.mix,
            "pad": self.pad,
            "variants": self.variants,
            "configs": [c.to_dict() for c in self.configs],
            "rounds": self.rounds,
            "first_round": self.first_round,
            "window_s": self.window_s,
            "percent": self.percent,
            "cache_dir": self.cache_dir,
            "latency_limit_ms": self.latency_limit_ms,
        }
        if self.scenario != OFFLINE:
            out["scenario"] = self.scenario
        if self.scenario == MULTI_STREAM:
            out.update(
                start_rates=list(self.start_rates),
                latency_limit_ms=self.latency_limit_ms,
                fps=self.fps,
                streams=self.streams,
            )
        if self.scenario == SERVER:
            out.update(scenario=SERVER, start_rates=list(self.start_rates))
            if self.at_rate is not None:
                out.update(at_rate=self.at_rate)
        return out

    def run(self, runner: Runner) -> list[list[Window]]:
        """Each config's windows, one a round, in the order of ``configs`` (raises
        :class:`~autotune.measure.TrialFailure`). Rounds with a config that reserves CPU cores
        run one window per job, each in a worker of its own (:func:`reserves_cores`)."""
        payload = self.payload()
        if not reserves_cores(payload) or self.scenario not in (OFFLINE, SINGLE_STREAM):
            result = runner.call("measure_interleaved", payload, timeout_s=self.timeout_s)
            return [[Window.from_dict(w) for w in c["windows"]] for c in result["configs"]]
        windows: list[list[Window]] = [[] for _ in self.configs]
        for r in range(self.first_round, self.first_round + self.rounds):
            for index in [(r + i) % len(self.configs) for i in range(len(self.configs))]:
                job = replace(self, configs=(self.configs[index],), rounds=1, first_round=r)
                result = runner.call("measure_interleaved", job.payload(), job.timeout_s)
                windows[index] += [Window.from_dict(w) for w in result["configs"][0]["windows"]]
        return windows


# A proof window: (offered rate in req/s, seconds); None where a config measures nothing now.
RateWindow = tuple[float, float] | None


@dataclass(frozen=True)
class RateJob:
    """The payload of the ``measure_rates`` handler, typed: the configs whose stated rates are
    proven, each measured at the rate and for the time its proof asks next."""

    model_path: str
    shape: dict[str, list[int]] | None
    batch_axes: dict[str, Any] | None
    configs: tuple[RuntimeConfig, ...]
    percent: float
    latency_limit_ms: float
    variants: dict[str, str] | None = None
    cache_dir: str | None = None
    mix: dict[str, Any] | None = None  # the traffic's shapes, when they vary
    pad: dict[str, float] | None = None  # bucket policies' pad values

    @staticmethod
    def timeout_s(windows: list[RateWindow]) -> float:
        """Room for the compiles, then every window (an overloaded pool drains after it)."""
        seconds = sum(w[1] for w in windows if w is not None)
        return default_trial_timeout(2.0) + 3.0 * seconds

    def run(
        self, runner: Runner, windows: list[RateWindow], rotation: int
    ) -> list[LoadPoint | None]:
        """One window per config (None where ``windows`` has none), measured one config after
        the other starting ``rotation`` places in (raises
        :class:`~autotune.measure.TrialFailure`)."""
        payload = {
            "model_path": self.model_path,
            "shape": self.shape,
            "batch_axes": self.batch_axes,
            "mix": self.mix,
            "pad": self.pad,
            "variants": self.variants,
            "cache_dir": self.cache_dir,
            "configs": [c.to_dict() for c in self.configs],
            "windows": [list(w) if w is not None else None for w in windows],
            "percent": self.percent,
            "latency_limit_ms": self.latency_limit_ms,
            "rotation": rotation,
        }
        result = runner.call("measure_rates", payload, timeout_s=self.timeout_s(windows))
        return [LoadPoint.from_dict(p) if p is not None else None for p in result["points"]]
