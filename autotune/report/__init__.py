"""The HTML report: data functions (tested), Plotly drawing, and the page."""

from autotune.report._compare import CompareRow, compare_info, write_compare
from autotune.report._data import (
    ExplorationInfo,
    HistoryInfo,
    ParetoInfo,
    ParetoPoint,
    SummaryInfo,
    SummaryRow,
    exploration_info,
    history_info,
    importance_info,
    parallel_info,
    pareto_info,
    pareto_keys,
    summary_info,
    trials_table,
)
from autotune.report._page import render_report, report_data, write_pareto_png, write_report

__all__ = [
    "CompareRow",
    "compare_info",
    "write_compare",
    "ExplorationInfo",
    "HistoryInfo",
    "ParetoInfo",
    "ParetoPoint",
    "SummaryInfo",
    "SummaryRow",
    "exploration_info",
    "history_info",
    "importance_info",
    "parallel_info",
    "pareto_info",
    "pareto_keys",
    "render_report",
    "report_data",
    "summary_info",
    "trials_table",
    "write_pareto_png",
    "write_report",
]
