"""Queues whose latency tail is known exactly: what the simulated machine's open-loop pool must
reproduce, and the truth a stated sustainable rate is checked against.

- M/D/1 (one stream, a fixed service time D, Poisson arrivals at λ): Erlang's formula for the
  waiting time, P(W ≤ t) = (1 − ρ) Σ_{k=0}^{⌊t/D⌋} (λ(kD − t))^k / k! · e^{−λ(kD − t)}; a
  request's latency is W + D.
- M/M/c (c streams, exponential service at rate μ each, FIFO): the wait is 0 with probability
  1 − C (Erlang C), else exponential at cμ − λ; the latency adds an exponential service time.
"""

from __future__ import annotations

import math
from collections.abc import Callable


def md1_over(rate: float, service_s: float, limit_s: float) -> float:
    """P(latency > limit) in an M/D/1 queue (latency = wait + service)."""
    rho = rate * service_s
    if rho >= 1.0:
        return 1.0
    t = limit_s - service_s
    if t < 0:
        return 1.0
    terms = []
    for k in range(int(t // service_s) + 1):
        x = rate * (k * service_s - t)
        terms.append(x**k / math.factorial(k) * math.exp(-x))
    return max(0.0, 1.0 - (1.0 - rho) * math.fsum(terms))


def erlang_c(servers: int, load: float) -> float:
    """The chance an arrival waits in an M/M/c queue with offered load λ/μ."""
    below = math.fsum(load**k / math.factorial(k) for k in range(servers))
    top = load**servers / math.factorial(servers) * servers / (servers - load)
    return top / (below + top)


def mmc_over(rate: float, service_s: float, servers: int, limit_s: float) -> float:
    """P(latency > limit) in an M/M/c queue (latency = wait + service, FIFO)."""
    mu = 1.0 / service_s
    if rate >= servers * mu:
        return 1.0
    waits = erlang_c(servers, rate / mu)
    theta = servers * mu - rate
    x = limit_s
    if math.isclose(theta, mu):
        both = (1.0 + mu * x) * math.exp(-mu * x)
    else:
        both = (theta * math.exp(-mu * x) - mu * math.exp(-theta * x)) / (theta - mu)
    return (1.0 - waits) * math.exp(-mu * x) + waits * both


def tail_edge(over: Callable[[float], float], percent: float, high: float) -> float:
    """The highest arrival rate below ``high`` whose pXX latency is within the limit ``over``
    is computed for: where P(latency > limit) crosses 1 − XX/100 (bisection)."""
    allowed = 1.0 - percent / 100.0
    low = 0.0
    for _ in range(200):
        mid = (low + high) / 2
        if over(mid) > allowed:
            high = mid
        else:
            low = mid
    return low
