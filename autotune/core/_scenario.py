"""Scenarios: how load reaches the model, and so which figure a configuration is judged on.

- ``offline``: a closed loop (benchmark_app's, MLPerf's Offline): every request is resubmitted
  the moment it finishes. The figure is throughput (frames/s); latency is the latency at that
  ceiling.
- ``server``: requests arrive on their own, as a Poisson process (MLPerf's Server). The figure is
  the *sustainable rate*: the highest arrival rate (requests/s) at which the chosen latency
  percentile, counted from arrival, stays under the limit.
- ``single-stream``: one request in flight, the next sent when the previous answered (a camera
  application's loop; MLPerf's SingleStream). The figure is the chosen latency percentile
  (p90 by default), lower is better.
- ``multi-stream``: K periodic sources (cameras at F frames/s each) feed the config's request
  pool (MLPerf's MultiStream). The figure is the most sources held at the latency limit.

Which way a figure is better is the judge's (:func:`autotune.judge.figure_of`).
"""

from __future__ import annotations

OFFLINE = "offline"
SERVER = "server"
SINGLE_STREAM = "single-stream"
MULTI_STREAM = "multi-stream"
SCENARIOS = (OFFLINE, SERVER, SINGLE_STREAM, MULTI_STREAM)
# The scenarios whose load is one input at a time as it arrives: no reshaped batch.
ONE_INPUT_SCENARIOS = (SERVER, SINGLE_STREAM, MULTI_STREAM)
# The latency percentile a limit applies to when none is given: p90 as benchmark_app users read
# it (and MLPerf's SingleStream); p99 for a server and for cameras, as MLPerf judges them.
DEFAULT_PERCENTILES = {OFFLINE: 90.0, SERVER: 99.0, SINGLE_STREAM: 90.0, MULTI_STREAM: 99.0}


def figure_name(scenario: str) -> str:
    """What "faster" means in the higher-is-better scenarios, for verdicts and tables (the
    judge's :class:`~autotune.judge.Figure` names every scenario's figure)."""
    return "sustainable rate" if scenario == SERVER else "throughput"


def rate_unit(scenario: str) -> str:
    return "req/s" if scenario == SERVER else "FPS"
