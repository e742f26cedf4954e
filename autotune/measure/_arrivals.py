"""Poisson arrivals: when the requests of an open-loop load come in.

Requests to a server arrive on their own schedule, roughly as a Poisson process (independent
users): exponential gaps of mean 1/λ. The schedule is drawn up front from a seed, so a probe is
repeatable and the generator spends no time on randomness while it runs.
"""

from __future__ import annotations

import numpy as np


def poisson_arrivals(rate: float, duration_s: float, seed: int) -> list[float]:
    """Arrival times in [0, duration_s) of a Poisson process of ``rate`` per second."""
    if rate <= 0 or duration_s <= 0:
        return []
    rng = np.random.default_rng(seed)
    expected = rate * duration_s
    # Draw a few standard deviations more gaps than expected, then cut at the duration.
    count = int(expected + 6 * np.sqrt(expected) + 16)
    times = np.cumsum(rng.exponential(1.0 / rate, count))
    while times[-1] < duration_s:  # astronomically rare; keep drawing until the window is full
        more = times[-1] + np.cumsum(rng.exponential(1.0 / rate, count))
        times = np.concatenate([times, more])
    return [float(t) for t in times[times < duration_s]]


def periodic_arrivals(
    sources: int, fps: float, duration_s: float, seed: int, jitter: float = 1.0
) -> list[float]:
    """Due times in [0, duration_s) of ``sources`` periodic sources (cameras) at ``fps``
    frames/s each, merged in time order. Each source starts at its own phase, drawn uniformly
    over ``jitter`` × one period (cameras are not synchronized): with ``jitter`` 0 every
    source's frames fall due at the same instants, the worst case."""
    if sources <= 0 or fps <= 0 or duration_s <= 0:
        return []
    period = 1.0 / fps
    rng = np.random.default_rng(seed)
    phases = rng.uniform(0.0, jitter * period, sources)
    frames = np.arange(int(np.ceil(duration_s * fps)) + 1) * period
    times = np.sort((phases[:, None] + frames[None, :]).ravel())
    return [float(t) for t in times[times < duration_s]]
