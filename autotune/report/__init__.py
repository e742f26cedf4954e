"""The HTML report: data functions (tested), Plotly drawing, and the page."""

from autotune.report._compare import CompareRow, compare_info, write_compare
from autotune.report._data import (
    ExplorationInfo,
    HistoryInfo,
    MemoryPoint,
    ParetoInfo,
    ParetoPoint,
    SummaryInfo,
    SummaryRow,
    exploration_info,
    history_info,
    importance_info,
    memory_info,
    parallel_info,
    pareto_info,
    pareto_keys,
    summary_info,
    trials_table,
    unique_configs_table,
)
from autotune.report._page import render_report, write_pareto_png, write_report

__all__ = [
    "CompareRow",
    "compare_info",
    "write_compare",
    "ExplorationInfo",
    "HistoryInfo",
    "MemoryPoint",
    "ParetoInfo",
    "ParetoPoint",
    "SummaryInfo",
    "SummaryRow",
    "exploration_info",
    "history_info",
    "importance_info",
    "memory_info",
    "parallel_info",
    "pareto_info",
    "pareto_keys",
    "render_report",
    "summary_info",
    "trials_table",
    "unique_configs_table",
    "write_pareto_png",
    "write_report",
]
