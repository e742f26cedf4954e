"""Scenarios: how load reaches the model, and so which figure a configuration is judged on.

- ``offline``: a closed loop (benchmark_app's, MLPerf's Offline): every request is resubmitted
  the moment it finishes. The figure is throughput (frames/s); latency is the latency at that
  ceiling.
- ``server``: requests arrive on their own, as a Poisson process (MLPerf's Server). The figure is
  the *sustainable rate*: the highest arrival rate (requests/s) at which the chosen latency
  percentile, counted from arrival, stays under the limit.
"""

from __future__ import annotations

OFFLINE = "offline"
SERVER = "server"
SCENARIOS = (OFFLINE, SERVER)
# The latency percentile a limit applies to when none is given: p90 as benchmark_app users read
# it; p99 for a server, as MLPerf's Server scenario judges it.
DEFAULT_PERCENTILES = {OFFLINE: 90.0, SERVER: 99.0}


def figure_name(scenario: str) -> str:
    """What "faster" means in this scenario, for verdicts and tables."""
    return "sustainable rate" if scenario == SERVER else "throughput"


def rate_unit(scenario: str) -> str:
    return "req/s" if scenario == SERVER else "FPS"
