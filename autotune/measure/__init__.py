"""Measurement: windows and their stability, the isolated worker and the handlers it runs on a
backend (the real runtime, or a simulated machine), accuracy figures against the f32
reference, memory, the per-machine lock, and the environment recorded with every result.

How the windows become the figures a decision uses is the judge's business
(:mod:`autotune.judge`), not this package's.
"""

from autotune.measure._accuracy import compare_outputs, is_probability_vector
from autotune.measure._analysis_handlers import PEAK_MATMUL_SIZE
from autotune.measure._arrivals import periodic_arrivals, poisson_arrivals
from autotune.measure._backend import Backend, RuntimeBackend, Session
from autotune.measure._cpu import CpuSample, read_cpu_sample
from autotune.measure._environment import check_fingerprint, collect_environment, fingerprint
from autotune.measure._handlers import HANDLERS
from autotune.measure._interleaved import InterleavedJob, RateJob, RateWindow
from autotune.measure._lock import LOCK_ENV, machine_lock
from autotune.measure._metric import check_accuracy_fn, load_metric, metric_drop
from autotune.measure._profile import efficiency, summarize_layers
from autotune.measure._rate import RatePlan, RateSearch, load_curve, rate_window, search_rate
from autotune.measure._records import duplicate_record, measurement_record
from autotune.measure._run import (
    Clock,
    Measurement,
    Pipeline,
    WindowPlan,
    confirmation_window_s,
    measure,
    run_windows,
    warm_up,
)
from autotune.measure._runner import (
    FAULT_ENV,
    IsolatedRunner,
    Runner,
    TrialFailure,
    WorkerCrashed,
    WorkerTimedOut,
    default_trial_timeout,
)
from autotune.measure._samples import (
    MAX_CALIBRATION_SAMPLES,
    MAX_SAMPLES,
    RANDOM_SAMPLES,
    load_samples,
    random_samples,
    sample_shapes,
)
from autotune.measure._server import CURVE_FRACTIONS, curve_rates, measure_server, probe_window_s
from autotune.measure._serving import LoadPoint, OpenPool, bursts, run_load, warm_pool
from autotune.measure._stability import (
    STABILITY_REMEDY,
    Stability,
    judge_stability,
    select_windows,
)
from autotune.measure._streams import (
    StreamPlan,
    StreamSearch,
    measure_streams,
    probe_sources,
    search_sources,
)
from autotune.measure._window import (
    DISPLAY_PERCENTILES,
    MIN_REQUESTS_PER_WINDOW,
    Window,
    distribution,
    over_runs,
    percentile,
    percentile_key,
    quantile,
    requests_for,
)

__all__ = [
    "check_accuracy_fn",
    "load_metric",
    "metric_drop",
    "CURVE_FRACTIONS",
    "LoadPoint",
    "bursts",
    "OpenPool",
    "RatePlan",
    "RateSearch",
    "curve_rates",
    "load_curve",
    "measure_server",
    "poisson_arrivals",
    "periodic_arrivals",
    "StreamPlan",
    "StreamSearch",
    "measure_streams",
    "probe_sources",
    "search_sources",
    "requests_for",
    "distribution",
    "probe_window_s",
    "rate_window",
    "run_load",
    "search_rate",
    "warm_pool",
    "DISPLAY_PERCENTILES",
    "FAULT_ENV",
    "HANDLERS",
    "InterleavedJob",
    "RateJob",
    "RateWindow",
    "LOCK_ENV",
    "MAX_CALIBRATION_SAMPLES",
    "MAX_SAMPLES",
    "MIN_REQUESTS_PER_WINDOW",
    "PEAK_MATMUL_SIZE",
    "RANDOM_SAMPLES",
    "STABILITY_REMEDY",
    "Backend",
    "Clock",
    "CpuSample",
    "IsolatedRunner",
    "Measurement",
    "Pipeline",
    "Runner",
    "RuntimeBackend",
    "Session",
    "Stability",
    "TrialFailure",
    "Window",
    "WindowPlan",
    "WorkerCrashed",
    "WorkerTimedOut",
    "check_fingerprint",
    "collect_environment",
    "compare_outputs",
    "confirmation_window_s",
    "default_trial_timeout",
    "duplicate_record",
    "efficiency",
    "fingerprint",
    "is_probability_vector",
    "judge_stability",
    "load_samples",
    "sample_shapes",
    "random_samples",
    "machine_lock",
    "measure",
    "measurement_record",
    "over_runs",
    "percentile",
    "percentile_key",
    "quantile",
    "read_cpu_sample",
    "run_windows",
    "select_windows",
    "summarize_layers",
    "warm_up",
]
