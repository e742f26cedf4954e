"""The HTML report: data functions (tested, no drawing), Plotly figures drawn from them, and
the self-contained page; the same split for comparing studies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from autotune.core import lazy_exports

_EXPORTS = {
    "AccuracyRow": "_accuracy",
    "accuracy_info": "_accuracy",
    "CompareRow": "_compare",
    "ExplorationInfo": "_search",
    "HistoryInfo": "_search",
    "LATENCY_VIEWS": "_pareto",
    "LatencyCurve": "_latency",
    "LatencyInfo": "_latency",
    "latency_figure": "_latency",
    "latency_info": "_latency",
    "LoadCurve": "_load",
    "LoadCurveInfo": "_load",
    "load_curve_figure": "_plots",
    "load_curve_info": "_load",
    "MemoryPoint": "_search",
    "ParetoInfo": "_pareto",
    "ParetoPoint": "_pareto",
    "RoundRatios": "_summary",
    "SummaryInfo": "_summary",
    "SummaryRow": "_summary",
    "compare_info": "_compare",
    "exploration_info": "_search",
    "history_info": "_search",
    "importance_info": "_search",
    "memory_info": "_search",
    "parallel_info": "_search",
    "pareto_figure": "_plots",
    "pareto_info": "_pareto",
    "pareto_keys": "_pareto",
    "render_report": "_page",
    "summary_info": "_summary",
    "three_way_front": "_pareto",
    "trials_table": "_tables",
    "unique_configs_table": "_tables",
    "write_compare": "_page",
    "write_pareto_png": "_page",
    "write_report": "_page",
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from autotune.report._accuracy import AccuracyRow as AccuracyRow
    from autotune.report._accuracy import accuracy_info as accuracy_info
    from autotune.report._compare import CompareRow as CompareRow
    from autotune.report._compare import compare_info as compare_info
    from autotune.report._latency import LatencyCurve as LatencyCurve
    from autotune.report._latency import LatencyInfo as LatencyInfo
    from autotune.report._latency import latency_figure as latency_figure
    from autotune.report._latency import latency_info as latency_info
    from autotune.report._load import LoadCurve as LoadCurve
    from autotune.report._load import LoadCurveInfo as LoadCurveInfo
    from autotune.report._load import load_curve_info as load_curve_info
    from autotune.report._page import render_report as render_report
    from autotune.report._page import write_compare as write_compare
    from autotune.report._page import write_pareto_png as write_pareto_png
    from autotune.report._page import write_report as write_report
    from autotune.report._pareto import LATENCY_VIEWS as LATENCY_VIEWS
    from autotune.report._pareto import ParetoInfo as ParetoInfo
    from autotune.report._pareto import ParetoPoint as ParetoPoint
    from autotune.report._pareto import pareto_info as pareto_info
    from autotune.report._pareto import pareto_keys as pareto_keys
    from autotune.report._pareto import three_way_front as three_way_front
    from autotune.report._plots import load_curve_figure as load_curve_figure
    from autotune.report._plots import pareto_figure as pareto_figure
    from autotune.report._search import ExplorationInfo as ExplorationInfo
    from autotune.report._search import HistoryInfo as HistoryInfo
    from autotune.report._search import MemoryPoint as MemoryPoint
    from autotune.report._search import exploration_info as exploration_info
    from autotune.report._search import history_info as history_info
    from autotune.report._search import importance_info as importance_info
    from autotune.report._search import memory_info as memory_info
    from autotune.report._search import parallel_info as parallel_info
    from autotune.report._summary import RoundRatios as RoundRatios
    from autotune.report._summary import SummaryInfo as SummaryInfo
    from autotune.report._summary import SummaryRow as SummaryRow
    from autotune.report._summary import summary_info as summary_info
    from autotune.report._tables import trials_table as trials_table
    from autotune.report._tables import unique_configs_table as unique_configs_table
